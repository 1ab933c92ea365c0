/* test-app-cli.c — `co2stream --export-plot`, run as a real process with no
 * display at all (DISPLAY and WAYLAND_DISPLAY unset), and its errors. */
#define G_LOG_DOMAIN "test-app-cli"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "app-test-util.h"
#include "co2s-contracts.h"
#include "co2s-metrics.h"
#include "co2s-test-util.h"

static char *tmp_dir;
static char *metrics_path;

/* Runs co2stream with @args and no display; returns the exit status and
 * the output in @out and @err (free with g_free). */
static int
run_app (const char * const *args,
         char **out,
         char **err)
{
  const char *program = co2s_test_program ("CO2S_APP");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) program);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_set_cwd (launcher, tmp_dir);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));

  return g_subprocess_get_exit_status (proc);
}

/* A metrics file of @n batches whose RMSE falls from 40 to about 6 g/km. */
static void
write_metrics (const char *path,
               guint n)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 now = g_get_real_time ();

  for (guint i = 1; i <= n; i++)
    {
      Co2sBatchMetrics m = { 0 };

      m.batch = i;
      m.rows = 100;
      m.rows_seen = 100 * i;
      m.rmse = 6.0 + 34.0 / i + (i % 7) * 0.3;
      m.mae = m.rmse * 0.7;
      m.rmse_fit = m.rmse * 0.8;
      m.timestamp_us = now - (gint64) (n - i) * G_USEC_PER_SEC;
      m.lag = 0;
      m.latency_ms_p50 = 12.5;
      m.latency_ms_max = 30.25;
      g_strlcpy (m.algo, "ls", sizeof m.algo);
      co2s_batch_metrics_to_json (&m, out);
    }
  g_assert_true (g_file_set_contents (path, out->str, out->len, NULL));
}

static void
test_export_formats (void)
{
  static const char * const names[] = { "rmse.png", "rmse.svg", "rmse.pdf", "RMSE.PNG" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (tmp_dir, names[i], NULL);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *args[] = { "--export-plot", path, "--metrics", metrics_path, NULL };
      int status = run_app (args, &out, &err);

      if (status != 0)
        g_error ("co2stream --export-plot %s: exit %d: %s", path, status, err);
      g_assert_nonnull (strstr (out, "200 batches"));
      app_test_assert_plot_file (path, 960, 600);
    }
}

static void
test_export_last_and_size (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "last.png", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "--export-plot", path, "--metrics", metrics_path, "--last", "50",
                         "--width", "640", "--height", "400", NULL };

  g_assert_cmpint (run_app (args, &out, &err), ==, 0);
  app_test_assert_plot_file (path, 640, 400);
}

/* --plot: the lag and throughput plots export too; anything else is a
 * usage error that lists the choices. */
static void
test_export_quantities (void)
{
  static const char * const what[] = { "rmse", "lag", "throughput" };
  g_autofree char *bad_path = g_build_filename (tmp_dir, "bad.png", NULL);
  g_autofree char *bad_out = NULL;
  g_autofree char *bad_err = NULL;
  const char *bad[] = { "--export-plot", bad_path, "--metrics", metrics_path, "--plot", "latency", NULL };
  g_autofree char *alone_out = NULL;
  g_autofree char *alone_err = NULL;
  const char *alone[] = { "--plot", "lag", NULL };
  g_autoptr(GBytes) first = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (what); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.png", what[i]);
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *contents = NULL;
      gsize len;
      const char *args[] = { "--export-plot", path, "--metrics", metrics_path, "--plot", what[i], NULL };
      int status = run_app (args, &out, &err);

      if (status != 0)
        g_error ("co2stream --plot %s: exit %d: %s", what[i], status, err);
      app_test_assert_plot_file (path, 960, 600);
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      if (first == NULL)
        first = g_bytes_new (contents, len);
      else
        g_assert_false (len == g_bytes_get_size (first) &&
                        memcmp (contents, g_bytes_get_data (first, NULL), len) == 0);
    }

  g_assert_cmpint (run_app (bad, &bad_out, &bad_err), ==, 2);
  g_assert_nonnull (strstr (bad_err, "--plot latency: use rmse, lag or throughput"));
  g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (run_app (alone, &alone_out, &alone_err), ==, 2);
  g_assert_nonnull (strstr (alone_err, "--plot"));
}

/* Without --metrics: metrics.jsonl of --model-dir. */
static void
test_export_model_dir (void)
{
  g_autofree char *dir = g_path_get_dirname (metrics_path);
  g_autofree char *path = g_build_filename (tmp_dir, "from-dir.svg", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "--export-plot", path, "--model-dir", dir, NULL };

  g_assert_cmpint (run_app (args, &out, &err), ==, 0);
  app_test_assert_plot_file (path, 960, 600);
}

static void
test_export_bad_extension (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "rmse.jpg", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "--export-plot", path, "--metrics", metrics_path, NULL };

  g_assert_cmpint (run_app (args, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "rmse.jpg"));
  g_assert_nonnull (strstr (err, ".png, .svg or .pdf"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_export_missing_metrics (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "none.png", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-dir", CO2S_METRICS_FILE, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "--export-plot", path, "--metrics", missing, NULL };

  g_assert_cmpint (run_app (args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, missing));
  g_assert_nonnull (strstr (err, "--metrics"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_export_unwritable (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "no-such-dir", "rmse.pdf", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "--export-plot", path, "--metrics", metrics_path, NULL };

  g_assert_cmpint (run_app (args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "no-such-dir"));
}

static void
test_bad_options (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "x.png", NULL);
  const char *negative[] = { "--export-plot", path, "--metrics", metrics_path, "--last", "-3", NULL };
  const char *tiny[] = { "--export-plot", path, "--metrics", metrics_path, "--width", "3", NULL };
  const char *alone[] = { "--metrics", metrics_path, NULL };
  const char *unknown[] = { "--no-such-option", NULL };
  const char * const *cases[] = { negative, tiny, alone, unknown };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_app (cases[i], &out, &err);

      g_test_message ("%s → %d: %s", cases[i][0], status, err);
      g_assert_cmpint (status, !=, 0);
      g_assert_cmpstr (err, !=, "");
    }
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_help_and_version (void)
{
  const char *help[] = { "--help", NULL };
  const char *version[] = { "--version", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_app (help, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "--export-plot=FILE"));
  g_assert_nonnull (strstr (out, "--start"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_app (version, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "co2stream "));
}

int
main (int argc,
      char *argv[])
{
  g_autofree char *models = NULL;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = co2s_test_tmpdir ();
  models = g_build_filename (tmp_dir, "models", NULL);
  g_assert_cmpint (g_mkdir (models, 0755), ==, 0);
  metrics_path = g_build_filename (models, CO2S_METRICS_FILE, NULL);
  write_metrics (metrics_path, 200);

  g_test_add_func ("/app/cli/export-formats", test_export_formats);
  g_test_add_func ("/app/cli/export-last-and-size", test_export_last_and_size);
  g_test_add_func ("/app/cli/export-model-dir", test_export_model_dir);
  g_test_add_func ("/app/cli/export-quantities", test_export_quantities);
  g_test_add_func ("/app/cli/bad-extension", test_export_bad_extension);
  g_test_add_func ("/app/cli/missing-metrics", test_export_missing_metrics);
  g_test_add_func ("/app/cli/unwritable", test_export_unwritable);
  g_test_add_func ("/app/cli/bad-options", test_bad_options);
  g_test_add_func ("/app/cli/help-and-version", test_help_and_version);

  return g_test_run ();
}
