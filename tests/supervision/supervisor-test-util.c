/* supervisor-test-util.c — helpers shared by the supervisor tests. */
#define G_LOG_DOMAIN "supervisor-test"

#include "supervisor-test-util.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
test_wait_until (TestCondition cond,
                 gpointer data,
                 guint timeout_ms,
                 const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (10, wake_cb, NULL);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_source_remove (wake);
          g_error ("timed out after %u ms waiting for %s", timeout_ms, what);
        }
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (wake);
}

void
test_store_result (GObject *source,
                   GAsyncResult *result,
                   gpointer data)
{
  GAsyncResult **slot = data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static gboolean
result_is_set (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

void
test_wait_result (GAsyncResult **slot,
                  guint timeout_ms,
                  const char *what)
{
  test_wait_until (result_is_set, slot, timeout_ms, what);
}

char *
test_make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("co2s-supervisor-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
test_rm_rf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;

      while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            test_rm_rf (child);
          else
            g_unlink (child);
          g_object_unref (info);
        }
    }
  g_rmdir (path);
}

char *
test_make_fake_bin_dir (const char *parent)
{
  static const char *names[] = { "co2stream-broker", "co2stream-api", "co2stream-trainer", "co2stream-producer" };
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

gboolean
test_pid_gone (GPid pid)
{
  g_autofree char *stat_path = NULL;
  g_autofree char *contents = NULL;
  const char *paren;

  g_assert_cmpint (pid, >, 0);

  /* No waitpid(): GLib reaps the children it spawned, and stealing that
   * from it makes it complain. */
  if (kill (pid, 0) != 0 && errno == ESRCH)
    return TRUE;

  /* A zombie is dead: only its parent has not reaped it yet. */
  stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  if (!g_file_get_contents (stat_path, &contents, NULL, NULL))
    return TRUE;
  paren = strrchr (contents, ')');
  return paren != NULL && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

guint
test_count_children (void)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      const char *paren;
      char state;
      int ppid;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      paren = strrchr (contents, ')');
      if (paren == NULL || sscanf (paren + 1, " %c %d", &state, &ppid) != 2)
        continue;
      if (ppid == (int) getpid () && state != 'Z' && state != 'X')
        n++;
    }
  return n;
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

static gboolean
no_children (gpointer data)
{
  return test_count_children () == 0;
}

void
test_supervisor_stop_all (Co2sSupervisor **sup,
                          guint timeout_ms,
                          const char *what)
{
  if (*sup != NULL && co2s_supervisor_get_active (*sup))
    {
      g_autoptr(GAsyncResult) result = NULL;

      co2s_supervisor_stop_async (*sup, NULL, test_store_result, &result);
      test_wait_result (&result, timeout_ms, "teardown stop");
    }
  g_clear_object (sup);
  test_wait_until (no_children, NULL, timeout_ms, what);
}
