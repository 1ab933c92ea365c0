/* test-cli-i18n.c — the six command-line programs in French: --help and
 * the error messages are translated (found uninstalled in the build tree's
 * po/), the lines other programs read stay as they are, and a trainer
 * running under a French locale (decimal comma) still writes model.json,
 * metrics.jsonl and its Kafka messages with decimal points. */
#define G_LOG_DOMAIN "test-cli-i18n"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli-test-util.h"
#include "co2s-contracts.h"
#include "co2s-kafka.h"
#include "co2s-metrics.h"
#include "trainer-fixture.h"

#define NBSP "\xc2\xa0"

/* French messages by LANGUAGE (what most desktops set), the catalogue found
 * the way a program run from the build tree finds it. */
static const char * const french_env[] = {
  "LANGUAGE=fr", "LANG=C.UTF-8", "LC_ALL", "LC_MESSAGES", "LOCPATH", "CO2S_LOCALEDIR", NULL
};

static const char * const english_env[] = {
  "LANGUAGE", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LOCPATH", "CO2S_LOCALEDIR", NULL
};

static void
assert_contains (const char *what, const char *text, const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("%s lacks “%s”:\n%s", what, needle, text);
}

static void
assert_lacks (const char *what, const char *text, const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("%s still says “%s” (not translated):\n%s", what, needle, text);
}

/* ---- --help ------------------------------------------------------------------ */

typedef struct {
  const char *program_var;
  const char *french[4];   /* all must appear */
  const char *english[2];  /* none may */
} HelpCase;

static const HelpCase help_cases[] = {
  { "CO2S_API",
    { "Fichier CSV à servir", "--csv=CHEMIN", "S’arrête proprement sur SIGINT ou SIGTERM",
      /* The line the supervisor waits for is named as it is printed. */
      "«" NBSP CO2S_READY_API_PREFIX "http://HÔTE:PORT" NBSP "»" },
    { "CSV file to serve", "Stops cleanly" } },
  { "CO2S_BROKER",
    { "Partitions de chaque topic créé", "--listen=HÔTE:PORT", "LIMITES",
      CO2S_READY_BROKER_PREFIX "HÔTE:PORT" },
    { "Partitions of each created topic", "Apache Kafka is the real thing" } },
  { "CO2S_KAFKA",
    { "Dossier de la configuration, des données et des journaux de Kafka", "--data-dir=DOSSIER",
      "Code de sortie" NBSP ":", CO2S_READY_BROKER_PREFIX "127.0.0.1:PORT" },
    { "Client port on 127.0.0.1", "Exit status" } },
  { "CO2S_PREDICT",
    { "Cylindrée du moteur en litres", "--fuel=LETTRE", "Code de sortie" NBSP ":",
      "- prédire les émissions de CO₂" },
    { "Engine displacement", "Exit status" } },
  { "CO2S_PRODUCER",
    { "Flux NDJSON à lire", "--brokers=LISTE", "Reconnexion" NBSP ":", "Topic des lettres mortes, pour les lignes" },
    { "NDJSON stream to read", "Reconnection" } },
  { "CO2S_TRAINER",
    { "Groupe de consommateurs", "--model-dir=DOSSIER", "Le fichier de modèle fait foi",
      "Afficher la version et quitter" },
    { "Consumer group", "The model file is the source of truth" } },
};

static void
test_french_help (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (help_cases); i++)
    {
      const HelpCase *c = &help_cases[i];
      const char *args[] = { "--help", NULL };
      g_auto(CliRun) run = { 0 };

      cli_run_program (&run, c->program_var, args, french_env);
      g_assert_cmpint (run.status, ==, 0);
      for (guint k = 0; k < G_N_ELEMENTS (c->french); k++)
        assert_contains (c->program_var, run.out, c->french[k]);
      for (guint k = 0; k < G_N_ELEMENTS (c->english); k++)
        assert_lacks (c->program_var, run.out, c->english[k]);
    }
}

/* ---- errors ------------------------------------------------------------------- */

/* Runs @args, expects @status and every one of @needles (NULL-terminated)
 * on stderr and nothing on stdout. */
static void
assert_error (const char *program_var,
              const char * const *args,
              const char * const *env,
              int status,
              const char * const *needles)
{
  g_auto(CliRun) run = { 0 };

  cli_run_program (&run, program_var, args, env);
  g_test_message ("%s: exit %d: %s", program_var, run.status, run.err);
  if (run.status != status)
    g_error ("%s: expected exit %d, got %d; stderr:\n%s", program_var, status, run.status, run.err);
  g_assert_cmpstr (run.out, ==, "");
  for (guint i = 0; needles[i] != NULL; i++)
    assert_contains (program_var, run.err, needles[i]);
}

static void
test_french_errors (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *no_csv = g_build_filename (dir, "absent.csv", NULL);
  g_autofree char *no_model = g_build_filename (dir, "absent-model.json", NULL);
  g_autofree char *bad_dir = g_build_filename (dir, "corrupt", NULL);
  g_autofree char *bad_model = g_build_filename (bad_dir, CO2S_MODEL_FILE, NULL);
  g_autofree char *not_kafka = g_build_filename (dir, "not-kafka", NULL);
  g_autofree char *not_kafka_data = g_build_filename (not_kafka, "data", NULL);
  g_autofree char *not_kafka_file = g_build_filename (not_kafka_data, "mine.txt", NULL);
  g_autofree char *no_csv_line = g_strdup_printf ("co2stream-api" NBSP ": fichier CSV introuvable" NBSP ": %s",
                                                  no_csv);
  g_autofree char *no_model_line =
    g_strdup_printf ("co2stream-predict" NBSP ": Le fichier de modèle «" NBSP "%s" NBSP "» n’existe pas. "
                     "Entraînez d’abord un modèle", no_model);
  g_autofree char *bad_model_line =
    g_strdup_printf ("impossible d’utiliser le fichier de modèle %s" NBSP ": Le fichier de modèle «" NBSP
                     "%s" NBSP "» n’est pas valide", bad_model, bad_model);

  /* co2stream-api: the data set is missing; a stray argument. */
  assert_error ("CO2S_API", (const char *[]) { "--csv", no_csv, "--listen", "127.0.0.1:0", NULL },
                french_env, 1,
                (const char *[]) { no_csv_line, "data/README.md", "--csv CHEMIN", NULL });
  assert_error ("CO2S_API", (const char *[]) { "surplus", NULL }, french_env, 2,
                (const char *[]) { "argument inattendu «" NBSP "surplus" NBSP "»",
                                   "Lancez «" NBSP "co2stream-api --help" NBSP "» pour voir les options.",
                                   NULL });

  /* co2stream-broker: a bad value. */
  assert_error ("CO2S_BROKER", (const char *[]) { "--partitions", "0", NULL }, french_env, 2,
                (const char *[]) { "co2stream-broker" NBSP ": --partitions 0" NBSP ": attendu de 1 à 1000",
                                   "Lancez «" NBSP "co2stream-broker --help" NBSP "»", NULL });

  /* co2stream-kafka: a bad value; a folder --reset-data refuses (a runtime
   * failure, exit 1). */
  assert_error ("CO2S_KAFKA", (const char *[]) { "--port", "70000", NULL }, french_env, 2,
                (const char *[]) { "co2stream-kafka" NBSP ": --port 70000" NBSP ": attendu de 0 (un port libre) à 65535",
                                   "Lancez «" NBSP "co2stream-kafka --help" NBSP "»", NULL });
  g_assert_cmpint (g_mkdir_with_parents (not_kafka_data, 0755), ==, 0);
  g_assert_true (g_file_set_contents (not_kafka_file, "mine", -1, NULL));
  assert_error ("CO2S_KAFKA", (const char *[]) { "--data-dir", not_kafka, "--reset-data", NULL }, french_env, 1,
                (const char *[]) { "ne ressemble pas à un dossier de données de co2stream-kafka",
                                   "rien n’a été supprimé", NULL });
  g_assert_true (g_file_test (not_kafka_file, G_FILE_TEST_EXISTS));

  /* co2stream-predict: no model file; a decimal comma; out of range (the
   * bounds with a decimal point, as the options are typed). */
  assert_error ("CO2S_PREDICT",
                (const char *[]) { "--model", no_model, "--engine-size", "2.0", "--cylinders", "4",
                                   "--city", "9.9", "--hwy", "6.7", "--comb", "8.5", "--fuel", "X", NULL },
                french_env, 1, (const char *[]) { no_model_line, NULL });
  assert_error ("CO2S_PREDICT",
                (const char *[]) { "--engine-size", "2,0", "--cylinders", "4", "--city", "9.9",
                                   "--hwy", "6.7", "--comb", "8.5", "--fuel", "X", NULL },
                french_env, 2,
                (const char *[]) { "--engine-size «" NBSP "2,0" NBSP "» n’est pas un nombre décimal "
                                   "(des chiffres, avec un point pour les décimales", NULL });
  assert_error ("CO2S_PREDICT",
                (const char *[]) { "--engine-size", "50", "--cylinders", "4", "--city", "9.9",
                                   "--hwy", "6.7", "--comb", "8.5", "--fuel", "X", NULL },
                french_env, 2,
                (const char *[]) { "sort de la plage plausible de Engine_Size" NBSP ": de 0.5 à 10", NULL });
  assert_error ("CO2S_PREDICT",
                (const char *[]) { "--engine-size", "2.0", "--cylinders", "4.5", "--city", "9.9",
                                   "--hwy", "6.7", "--comb", "8.5", "--fuel", "X", NULL },
                french_env, 2,
                (const char *[]) { "--cylinders «" NBSP "4.5" NBSP "» n’est pas un nombre entier "
                                   "(des chiffres seulement, par ex. 4)" NBSP "; attendu de 2 à 16", NULL });

  /* co2stream-producer: a property librdkafka refuses (a message of the
   * pipeline library). */
  assert_error ("CO2S_PRODUCER", (const char *[]) { "-X", "no.such.property=1", NULL }, french_env, 2,
                (const char *[]) { "propriété Kafka no.such.property=1 refusée", NULL });

  /* co2stream-trainer: a bad value; a corrupt model file (checked before
   * any broker is contacted). */
  assert_error ("CO2S_TRAINER", (const char *[]) { "--batch-rows", "0", NULL }, french_env, 2,
                (const char *[]) { "--batch-rows 0" NBSP ": doit être entre 1 et 1000000",
                                   "Lancez «" NBSP "co2stream-trainer --help" NBSP "»", NULL });
  g_assert_cmpint (g_mkdir (bad_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (bad_model, "{ not json", -1, NULL));
  assert_error ("CO2S_TRAINER",
                (const char *[]) { "--model-dir", bad_dir, "--brokers", "127.0.0.1:1", NULL },
                french_env, 1, (const char *[]) { bad_model_line, "--reset", NULL });
}

/* The same errors without LANGUAGE, in the C locale: English, so the
 * French ones above come from the catalogue and not from the sources. */
static void
test_english_errors (void)
{
  g_autofree char *dir = co2s_test_tmpdir ();
  g_autofree char *no_model = g_build_filename (dir, "absent-model.json", NULL);
  g_autofree char *no_model_line =
    g_strdup_printf ("co2stream-predict: Model file “%s” does not exist. Train a model first", no_model);

  assert_error ("CO2S_PREDICT",
                (const char *[]) { "--model", no_model, "--engine-size", "2.0", "--cylinders", "4",
                                   "--city", "9.9", "--hwy", "6.7", "--comb", "8.5", "--fuel", "X", NULL },
                english_env, 1, (const char *[]) { no_model_line, NULL });
  assert_error ("CO2S_TRAINER", (const char *[]) { "--batch-rows", "0", NULL }, english_env, 2,
                (const char *[]) { "co2stream-trainer: --batch-rows 0: must be between 1 and 1000000",
                                   "Run “co2stream-trainer --help” to see the options.", NULL });
}

/* ---- files under a French locale ----------------------------------------- */

#define N_ROWS 200
#define BATCH_ROWS 50
#define BAD_ROW 60

/* The generated fr_FR.UTF-8 (in @locpath) exists and writes decimal
 * commas: without that, the test below would prove nothing. */
static void
assert_french_locale_has_comma (const char *locpath)
{
  g_autofree char *saved = g_strdup (setlocale (LC_NUMERIC, NULL));
  const char *name;
  char buf[32];

  g_setenv ("LOCPATH", locpath, TRUE);
  name = setlocale (LC_NUMERIC, "fr_FR.UTF-8");
  if (name == NULL)
    g_error ("no fr_FR.UTF-8 locale in %s (meson generates it with localedef)", locpath);
  snprintf (buf, sizeof buf, "%.1f", 1.5);
  setlocale (LC_NUMERIC, saved);
  g_unsetenv ("LOCPATH");
  g_assert_cmpstr (buf, ==, "1,5");
}

static void
assert_matches (const char *what, const char *pattern, const char *text)
{
  if (!g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0))
    g_error ("%s does not match /%s/:\n%s", what, pattern, text);
}

static void
test_french_trainer_files (void)
{
  const char *locpath = g_getenv ("CO2S_TEST_LOCPATH");
  g_autofree char *locpath_env = g_strdup_printf ("LOCPATH=%s", locpath ? locpath : "");
  const char *fr_locale_env[] = { "LC_ALL=fr_FR.UTF-8", "LANG=fr_FR.UTF-8", "LANGUAGE", "LC_NUMERIC",
                                  locpath_env, "CO2S_LOCALEDIR", NULL };
  const char *extra[] = { "--batch-rows", G_STRINGIFY (BATCH_ROWS), IDLE_ARGS, NULL };
  TrainerEnv env;
  g_autoptr(GArray) records = trainer_make_records (N_ROWS, 20261127, 0);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GArray) want_metrics = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(GArray) got_metrics = NULL;
  g_autoptr(Co2sModel) want_model = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sTestProc) proc = NULL;
  g_autoptr(GPtrArray) published = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *model_text = NULL;
  g_autofree char *metrics_text = NULL;
  g_auto(GStrv) out_lines = NULL;
  gboolean bad[N_ROWS] = { FALSE };
  int status;

  if (locpath == NULL)
    g_error ("CO2S_TEST_LOCPATH is not set (meson's test environment sets it)");
  assert_french_locale_has_comma (locpath);

  /* The programs do run in French in this environment. */
  {
    const char *args[] = { "--batch-rows", "0", NULL };

    assert_error ("CO2S_TRAINER", args, fr_locale_env, 2,
                  (const char *[]) { "co2stream-trainer" NBSP ": --batch-rows 0" NBSP ": doit être", NULL });
  }

  /* One row out of range: it goes to the dead letters with a "detail"
   * header that quotes numbers. */
  g_array_index (records, Co2sRecord, BAD_ROW).values[CO2S_COL_ENGINE_SIZE] = 99.5;
  bad[BAD_ROW] = TRUE;
  want_model = trainer_reference (records, bad, BATCH_ROWS, CO2S_ALGO_LS, want_metrics);

  trainer_env_start (&env);
  lines = trainer_lines_of (records);
  trainer_produce (&env, lines);

  proc = trainer_spawn (&env, NULL, extra, fr_locale_env);
  status = co2s_test_proc_wait_exit (proc, RUN_TIMEOUT_MS);
  g_assert_true (co2s_test_proc_wait_closed (proc, CLI_EXIT_TIMEOUT_MS));
  out = co2s_test_proc_get_text (proc, CO2S_TEST_STDOUT);
  err = co2s_test_proc_stderr_text (proc);
  trainer_assert_exit_ok (status, err);

  /* stdout: the machine-read batch lines, in English with decimal points. */
  out_lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (out_lines), ==, N_ROWS / BATCH_ROWS);
  for (guint i = 0; out_lines[i] != NULL; i++)
    assert_matches ("batch line",
                    "^batch [0-9]+: [0-9]+ rows, rmse ([0-9]+\\.[0-9]{2} g/km|n/a), "
                    "mae ([0-9]+\\.[0-9]{2}|n/a), rows_seen [0-9]+$", out_lines[i]);
  assert_matches ("stdout", "^batch 4: 50 rows, rmse [0-9]+\\.[0-9]{2} g/km", out);

  /* model.json: decimal points, and exactly the model of a C-locale run. */
  g_assert_true (g_file_get_contents (env.model_path, &model_text, NULL, NULL));
  assert_matches ("model.json", "\"intercept\" *: *-?[0-9]+\\.[0-9]+", model_text);
  cp = trainer_load_checkpoint (&env);
  trainer_assert_same_model (cp->model, want_model);

  /* metrics.jsonl: the same, line by line. */
  g_assert_true (g_file_get_contents (env.metrics_path, &metrics_text, NULL, NULL));
  assert_matches ("metrics.jsonl", "\"rmse\":[0-9]+\\.[0-9]+", metrics_text);
  got_metrics = trainer_read_metrics (&env);
  trainer_assert_same_metrics (got_metrics, want_metrics);

  /* streaming_metrics: the lines of metrics.jsonl, as written. */
  published = co2s_test_kafka_consume (env.brokers, CO2S_TOPIC_METRICS, N_ROWS / BATCH_ROWS, 20000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (published->len, ==, N_ROWS / BATCH_ROWS);
  for (guint i = 0; i < published->len; i++)
    {
      const Co2sTestMessage *msg = g_ptr_array_index (published, i);
      g_autofree char *line = g_strdup_printf ("%s\n", msg->payload);

      g_assert_nonnull (strstr (metrics_text, line));
    }

  /* streaming_data.dlq: the bad row's detail quotes 99.5 and the range
   * 0.5–10 with decimal points. */
  dead = co2s_test_kafka_consume (env.brokers, CO2S_TOPIC_DLQ, 1, 20000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, 1);
  {
    const Co2sTestMessage *msg = g_ptr_array_index (dead, 0);

    g_assert_cmpstr (co2s_test_message_header (msg, "reason"), ==, "out-of-range");
    g_assert_cmpstr (co2s_test_message_header (msg, "detail"), ==,
                     "Engine_Size is 99.5, outside the plausible range 0.5–10");
  }

  trainer_env_clear (&env);
}

int
main (int argc, char *argv[])
{
  /* Readable failure messages (the environment's locale: C.UTF-8 under
   * meson). */
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/french/help", test_french_help);
  g_test_add_func ("/cli/french/errors", test_french_errors);
  g_test_add_func ("/cli/english/errors", test_english_errors);
  g_test_add_func ("/cli/french/trainer-files", test_french_trainer_files);

  return g_test_run ();
}
