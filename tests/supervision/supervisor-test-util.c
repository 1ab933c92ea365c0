/* supervisor-test-util.c — see supervisor-test-util.h. */
#define G_LOG_DOMAIN "supervisor-test"

#include "supervisor-test-util.h"

#include <glib/gstdio.h>
#include <unistd.h>

/* fake-service's behaviour switches (see fake-service.c). */
static const char *fake_switches[] = {
  "FAKE_CRASH", "FAKE_CRASH_ONCE", "FAKE_CRASH_DELAY_MS", "FAKE_IGNORE_TERM",
  "FAKE_NEVER_READY", "FAKE_EXIT_EARLY", "FAKE_MIXED", "FAKE_CHATTY", "FAKE_LOG_LINES",
  "FAKE_RESET_FAILS",
};

static void
unset_fake_switches (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (fake_switches); i++)
    g_unsetenv (fake_switches[i]);
}

void
test_fake_env_init (TestFakeEnv *env)
{
  env->tmp = co2s_test_tmpdir ();
  env->bin = test_make_fake_bin_dir (env->tmp);
  env->record = g_build_filename (env->tmp, "record.txt", NULL);
  env->dataset = g_build_filename (env->tmp, "data.csv", NULL);
  env->models = g_build_filename (env->tmp, "models", NULL);
  g_assert_true (g_file_set_contents (env->dataset, "Engine_Size\n", -1, NULL));

  g_setenv ("FAKE_RECORD", env->record, TRUE);
  unset_fake_switches ();
}

void
test_fake_env_clear (TestFakeEnv *env)
{
  unset_fake_switches ();
  g_unsetenv ("FAKE_RECORD");

  if (env->tmp != NULL)
    g_assert_true (co2s_test_rm_rf (env->tmp, NULL));
  g_clear_pointer (&env->tmp, g_free);
  g_clear_pointer (&env->bin, g_free);
  g_clear_pointer (&env->record, g_free);
  g_clear_pointer (&env->dataset, g_free);
  g_clear_pointer (&env->models, g_free);
}

char *
test_make_fake_bin_dir (const char *parent)
{
  static const char *names[] = { "co2stream-broker", "co2stream-kafka", "co2stream-api",
                                 "co2stream-trainer", "co2stream-producer" };
  const char *fake = g_getenv ("FAKE_SERVICE");
  char *dir = g_build_filename (parent, "bin", NULL);

  if (fake == NULL || !g_file_test (fake, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("FAKE_SERVICE must name the built fake-service program (run through meson test)");

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *link = g_build_filename (dir, names[i], NULL);

      g_assert_cmpint (symlink (fake, link), ==, 0);
    }
  return dir;
}

GPtrArray *
test_read_lines (const char *path)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *contents = NULL;
  g_auto(GStrv) split = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return lines;
  split = g_strsplit (contents, "\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    if (split[i][0] != '\0')
      g_ptr_array_add (lines, g_strdup (split[i]));
  return lines;
}

int
test_find_record (GPtrArray *records,
                  const char *event,
                  const char *role)
{
  g_autofree char *prefix = g_strdup_printf ("%s %s ", event, role);

  for (guint i = 0; i < records->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (records, i), prefix))
      return (int) i;
  return -1;
}

GPtrArray *
test_filter_records (GPtrArray *records,
                     const char *event,
                     const char *role)
{
  g_autofree char *prefix = g_strdup_printf ("%s %s ", event, role);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < records->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (records, i), prefix))
      g_ptr_array_add (out, g_strdup (g_ptr_array_index (records, i)));
  return out;
}

char *
test_field (const char *line,
            guint index)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", -1);

  g_assert_cmpuint (index, <, g_strv_length (fields));
  return g_strdup (fields[index]);
}

gint64
test_field_int (const char *line,
                guint index)
{
  g_autofree char *field = test_field (line, index);

  return g_ascii_strtoll (field, NULL, 10);
}

void
test_supervisor_stop_all (Co2sSupervisor **sup,
                          guint timeout_ms,
                          const char *what)
{
  if (*sup != NULL && co2s_supervisor_get_active (*sup))
    {
      g_autoptr(GAsyncResult) result = NULL;

      co2s_supervisor_stop_async (*sup, NULL, co2s_test_store_result, &result);
      co2s_test_assert_result (&result, timeout_ms, "teardown stop");
    }
  g_clear_object (sup);
  co2s_test_assert_wait_msg (co2s_test_no_children, NULL, timeout_ms, what);
}

static gboolean
producer_recorded_ready (gpointer data)
{
  TestFakeEnv *env = data;
  g_autoptr(GPtrArray) records = test_read_lines (env->record);

  return test_find_record (records, "ready", "producer") >= 0;
}

void
test_supervisor_start_ok (Co2sSupervisor *sup,
                          TestFakeEnv *env,
                          guint timeout_ms)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  co2s_supervisor_start_async (sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, timeout_ms, "start");
  g_assert_true (co2s_supervisor_start_finish (sup, result, &error));
  g_assert_no_error (error);
  co2s_test_assert_wait_msg (producer_recorded_ready, env, 5000, "the producer to record its start");
}

void
test_supervisor_stop_ok (Co2sSupervisor *sup,
                         guint timeout_ms)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  co2s_supervisor_stop_async (sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, timeout_ms, "stop");
  g_assert_true (co2s_supervisor_stop_finish (sup, result, &error));
  g_assert_no_error (error);
}

GError *
test_supervisor_start_fails (Co2sSupervisor *sup,
                             guint timeout_ms)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;

  co2s_supervisor_start_async (sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, timeout_ms, "start");
  g_assert_false (co2s_supervisor_start_finish (sup, result, &error));
  g_assert_nonnull (error);
  return error;
}

Co2sSupervisor *
test_fake_supervisor_new (TestFakeEnv *env)
{
  Co2sSupervisor *sup = co2s_supervisor_new ();

  g_object_set (sup,
                "bin-dir", env->bin,
                "dataset", env->dataset,
                "model-dir", env->models,
                "ready-timeout", 5000,
                "stop-timeout", 2000,
                "restart-delay-initial", 100,
                "restart-delay-max", 400,
                NULL);
  return sup;
}
