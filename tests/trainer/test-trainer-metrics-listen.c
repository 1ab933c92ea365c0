/* test-trainer-metrics-listen.c — co2stream-trainer --metrics-listen: /metrics
 * scraped while the trainer runs (embedded broker), read by the reference
 * Prometheus parser, and every value checked against what was sent, what
 * an uninterrupted reference run computes and what the model file holds
 * (the row latency histogram); bad values and a port in use. */
#define G_LOG_DOMAIN "test-trainer-metrics-listen"

#include <math.h>
#include <signal.h>
#include <string.h>

#include "co2s-test-prom.h"
#include "trainer-fixture.h"

#define N_MESSAGES 1000
#define BATCH_ROWS 100
#define BAD_EVERY 97        /* messages 0, 97, 194…: 11 bad ones */

typedef struct {
  const char *url;
  JsonObject *families;
  double rows_want;
} Scrape;

static double
value (JsonObject *families, const char *name)
{
  return co2s_test_prom_value (families, name, NULL);
}

static gboolean
scrape_learned_all (gpointer data)
{
  Scrape *s = data;
  double checkpoints, age;

  g_clear_pointer (&s->families, json_object_unref);
  s->families = co2s_test_prom_scrape (s->url);
  /* Batches are counted when learned, before the checkpoint that saves
   * them (group commit): the model's age has no sample until the first
   * checkpoint, so it is looked up, not required. */
  return s->families != NULL &&
         value (s->families, "co2stream_trainer_rows_learned_total") == s->rows_want &&
         /* Every row checkpointed: the last batch's checkpoint is done. */
         value (s->families, "co2stream_trainer_row_latency_seconds_count") == s->rows_want &&
         co2s_test_prom_lookup (s->families, "co2stream_trainer_checkpoint_duration_seconds_count",
                                NULL, &checkpoints) &&
         checkpoints == value (s->families, "co2stream_trainer_checkpoints_total") &&
         value (s->families, "co2stream_trainer_last_checkpoint_timestamp_seconds") > 0 &&
         co2s_test_prom_lookup (s->families, "co2stream_trainer_model_age_seconds", NULL, &age) &&
         age >= 0 &&
         /* The last batch is checkpointed too. */
         value (s->families, "co2stream_trainer_model_batches") == N_MESSAGES / BATCH_ROWS;
}

static void
assert_close (double got, double want)
{
  if (!(fabs (got - want) <= 1e-9 * MAX (1.0, fabs (want))))
    g_error ("got %.17g, want %.17g", got, want);
}

/* The row latency histogram against the model file's exact one (@h): each
 * `le` bucket holds at least the rows whose exact bucket lies wholly at or
 * below the bound and at most those whose bucket starts there; the sum is
 * within the buckets' ranges too. */
static void
check_row_latency (JsonObject *families, const Co2sLatencyHistogram *h)
{
  const char *name = "co2stream_trainer_row_latency_seconds";
  JsonArray *samples = json_object_get_array_member (json_object_get_object_member (families, name), "samples");
  double sum, count = co2s_test_prom_histogram (families, name, &sum);
  double sum_lo = 0, sum_hi = 0;
  guint n_bounds = 0;

  g_assert_cmpfloat (count, ==, (double) h->total);
  for (guint b = 0; b < CO2S_LATENCY_N_BUCKETS; b++)
    {
      sum_lo += (double) co2s_latency_bucket_lowest (b) * h->counts[b];
      sum_hi += (double) (co2s_latency_bucket_lowest (b) + co2s_latency_bucket_width (b) - 1) * h->counts[b];
    }
  if (!(sum * 1e6 >= sum_lo - 1e-3 && sum * 1e6 <= sum_hi + 1e-3))
    g_error ("row latency sum %.6f s outside the exact buckets' [%.6f, %.6f] s", sum, sum_lo / 1e6, sum_hi / 1e6);
  g_assert_cmpfloat (sum, >, 0);

  for (guint i = 0; i < json_array_get_length (samples); i++)
    {
      JsonObject *s = json_array_get_object_element (samples, i);
      double le, v;
      guint64 below = 0, maybe = 0;

      /* co2s_test_prom_histogram checked every bucket has its le. */
      if (!g_str_has_suffix (json_object_get_string_member (s, "name"), "_bucket"))
        continue;
      le = g_ascii_strtod (json_object_get_string_member (json_object_get_object_member (s, "labels"), "le"), NULL);
      v = g_ascii_strtod (json_object_get_string_member (s, "value"), NULL);
      if (isinf (le))
        continue;
      n_bounds++;
      for (guint b = 0; b < CO2S_LATENCY_N_BUCKETS; b++)
        {
          gint64 lowest = co2s_latency_bucket_lowest (b);

          if (lowest + co2s_latency_bucket_width (b) - 1 <= llround (le * 1e6))
            below += h->counts[b];
          if (lowest <= llround (le * 1e6))
            maybe += h->counts[b];
        }
      if (!(v >= below && v <= maybe))
        g_error ("row latency bucket le=%g holds %g rows, the model file's %" G_GUINT64_FORMAT
                 " to %" G_GUINT64_FORMAT, le, v, below, maybe);
    }
  /* 1 ms … 60 s. */
  g_assert_cmpuint (n_bounds, >=, 10);
}

static void
test_scrape (void)
{
  TrainerEnv env = { 0 };
  g_autoptr(GArray) records = trainer_make_records (N_MESSAGES, 7, 0);
  g_autoptr(GPtrArray) lines = trainer_lines_of (records);
  g_autofree gboolean *bad = g_new0 (gboolean, N_MESSAGES);
  g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (Co2sBatchMetrics));
  g_autoptr(Co2sModel) ref = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autofree char *port = g_strdup_printf ("%u", co2s_test_free_port ());
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%s/metrics", port);
  g_autofree char *pattern = NULL;
  g_autofree char *batch_rows = g_strdup_printf ("%d", BATCH_ROWS);
  const char *extra[] = { "--metrics-listen", port, "--batch-rows", batch_rows, NULL };
  const char *p0[] = { "partition", "0", NULL };
  g_autoptr(Co2sTestProc) trainer = NULL;
  Scrape s = { .url = url };
  guint n_bad = 0;
  double sq = 0, abs_sum = 0, rows = 0, sum;
  const Co2sBatchMetrics *last;

  for (guint i = 0; i < N_MESSAGES; i += BAD_EVERY)
    {
      g_free (g_ptr_array_index (lines, i));
      g_ptr_array_index (lines, i) = g_strdup_printf ("not json %u", i);
      bad[i] = TRUE;
      n_bad++;
    }
  s.rows_want = N_MESSAGES - n_bad;
  ref = trainer_reference (records, bad, BATCH_ROWS, CO2S_ALGO_LS, want);

  trainer_env_start (&env);
  trainer_produce (&env, lines);
  trainer = trainer_spawn (&env, NULL, extra, NULL);
  pattern = g_strdup_printf ("metrics: serving http://127\\.0\\.0\\.1:%s/metrics$", port);
  g_assert_true (co2s_test_proc_wait_line (trainer, CO2S_TEST_STDERR, pattern, RUN_TIMEOUT_MS, NULL));

  co2s_test_assert_wait_msg (scrape_learned_all, &s, RUN_TIMEOUT_MS,
                             "/metrics saying every good row learned and checkpointed");

  /* This process and the model (fresh) agree with what was sent. */
  g_assert_cmpstr (co2s_test_prom_type (s.families, "co2stream_trainer_rows_learned_total"), ==, "counter");
  g_assert_cmpstr (co2s_test_prom_type (s.families, "co2stream_trainer_model_rows"), ==, "gauge");
  g_assert_cmpstr (co2s_test_prom_type (s.families, "co2stream_trainer_checkpoint_duration_seconds"), ==,
                   "histogram");
  g_assert_cmpfloat (value (s.families, "co2stream_trainer_batches_total"), ==, N_MESSAGES / BATCH_ROWS);
  g_assert_cmpfloat (value (s.families, "co2stream_trainer_messages_consumed_total"), ==, N_MESSAGES);
  g_assert_cmpfloat (value (s.families, "co2stream_trainer_dead_letters_total"), ==, n_bad);
  g_assert_cmpfloat (value (s.families, "co2stream_trainer_model_rows"), ==, N_MESSAGES - n_bad);
  g_assert_cmpfloat (value (s.families, "co2stream_trainer_model_dead_letters"), ==, n_bad);
  g_assert_cmpfloat (co2s_test_prom_value (s.families, "co2stream_trainer_consumer_lag_messages", p0), ==, 0);
  g_assert_cmpfloat (value (s.families, "co2stream_trainer_checkpoints_total"), >=, 1);
  g_assert_cmpfloat (co2s_test_prom_histogram (s.families, "co2stream_trainer_checkpoint_duration_seconds", &sum),
                     ==, value (s.families, "co2stream_trainer_checkpoints_total"));
  g_assert_cmpfloat (sum, >, 0);

  /* Prequential errors: the last batch's, and the row-weighted rolling ones
   * (10 batches: all of them), as the reference computes them. */
  g_assert_cmpuint (want->len, ==, N_MESSAGES / BATCH_ROWS);
  last = &g_array_index (want, Co2sBatchMetrics, want->len - 1);
  assert_close (value (s.families, "co2stream_trainer_prequential_rmse"), last->rmse);
  assert_close (value (s.families, "co2stream_trainer_prequential_mae"), last->mae);
  for (guint i = 0; i < want->len; i++)
    {
      const Co2sBatchMetrics *m = &g_array_index (want, Co2sBatchMetrics, i);

      if (m->rows == 0 || !isfinite (m->rmse))
        continue;
      sq += m->rmse * m->rmse * m->rows;
      abs_sum += m->mae * m->rows;
      rows += m->rows;
    }
  assert_close (value (s.families, "co2stream_trainer_prequential_rmse_rolling"), sqrt (sq / rows));
  assert_close (value (s.families, "co2stream_trainer_prequential_mae_rolling"), abs_sum / rows);

  /* The model file's time; its age a few seconds at most. */
  cp = trainer_load_checkpoint (&env);
  assert_close (value (s.families, "co2stream_trainer_last_checkpoint_timestamp_seconds"),
                cp->updated_at_us / 1e6);
  g_assert_cmpfloat (value (s.families, "co2stream_trainer_model_age_seconds"), <, 60);

  /* Row latency: every good row once, as the model file's histogram has it. */
  g_assert_cmpuint (cp->latency->total, ==, N_MESSAGES - n_bad);
  check_row_latency (s.families, cp->latency);

  co2s_test_proc_signal (trainer, SIGTERM);
  g_assert_cmpint (co2s_test_proc_wait_exit (trainer, RUN_TIMEOUT_MS), ==, 0);
  g_clear_pointer (&s.families, json_object_unref);
  trainer_env_clear (&env);
}

static void
expect_exit (TrainerEnv *env, const char *listen, int want_status, const char *want_text)
{
  const char *extra[] = { "--metrics-listen", listen, IDLE_ARGS, NULL };
  g_autofree char *err = NULL;
  int status = trainer_run (env, NULL, extra, RUN_TIMEOUT_MS, NULL, &err);

  g_assert_cmpint (status, ==, want_status);
  if (strstr (err, want_text) == NULL)
    g_error ("stderr lacks \"%s\":\n%s", want_text, err);
}

/* Bad values: usage errors (2); a port in use: 1, naming it. */
static void
test_bad_values (void)
{
  TrainerEnv env = { 0 };
  g_autofree char *taken = NULL;
  g_autoptr(GSocket) socket = co2s_test_listening_socket (&taken);
  g_autofree char *want = g_strdup_printf ("cannot serve metrics on 127.0.0.1:%s: ", taken);

  trainer_env_start (&env);
  expect_exit (&env, "nope", 2, "--metrics-listen nope: the port must be a number from 0 to 65535");
  expect_exit (&env, "1.2.3:9101", 2, "--metrics-listen 1.2.3:9101: “1.2.3” is not an IP address");
  expect_exit (&env, "[::1]", 2, "--metrics-listen [::1]: use PORT, HOST:PORT or [IPV6]:PORT");
  expect_exit (&env, taken, 1, want);
  trainer_env_clear (&env);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  co2s_test_children_fatal_criticals ();
  g_test_add_func ("/trainer/metrics-listen/scrape", test_scrape);
  g_test_add_func ("/trainer/metrics-listen/bad-values", test_bad_values);
  return g_test_run ();
}
