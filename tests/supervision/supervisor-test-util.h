/* supervisor-test-util.h — helpers shared by the supervisor tests. */
#pragma once

#include <gio/gio.h>

#include "co2s-supervisor.h"

G_BEGIN_DECLS

typedef gboolean (*TestCondition) (gpointer data);

/* Runs the default main context until @cond (@data) is TRUE; fails the test
 * naming @what if @timeout_ms pass first. */
void test_wait_until (TestCondition cond,
                      gpointer data,
                      guint timeout_ms,
                      const char *what);

/* A GAsyncReadyCallback that stores a reference to the result in
 * *(GAsyncResult **) data. */
void test_store_result (GObject *source,
                        GAsyncResult *result,
                        gpointer data);

/* Waits (up to @timeout_ms) until *@slot is set by test_store_result. */
void test_wait_result (GAsyncResult **slot,
                       guint timeout_ms,
                       const char *what);

/* New empty folder under g_get_tmp_dir(); free with g_free(). */
char *test_make_temp_dir (void);

/* Deletes @path and everything below it. */
void test_rm_rf (const char *path);

/* A folder in @parent with co2stream-{broker,api,trainer,producer}
 * symlinked to $FAKE_SERVICE (fails the test if unset). */
char *test_make_fake_bin_dir (const char *parent);

/* TRUE when process @pid no longer exists (ESRCH) or is a zombie (dead,
 * not reaped yet). */
gboolean test_pid_gone (GPid pid);

/* Number of live (non-zombie) processes whose parent is this process. */
guint test_count_children (void);

/* Teardown: stops @sup if it is active, drops the reference in *@sup and
 * waits until this process has no live child left, each within
 * @timeout_ms (the test fails naming @what otherwise). */
void test_supervisor_stop_all (Co2sSupervisor **sup,
                               guint timeout_ms,
                               const char *what);

/* Lines of the file at @path (empty array if missing). */
GPtrArray *test_read_lines (const char *path);

/* The lines of @records whose first two words are @event and @role. */
GPtrArray *test_filter_records (GPtrArray *records,
                                const char *event,
                                const char *role);

/* Field @index (0-based, space-separated) of @line as a string / integer. */
char *test_field (const char *line,
                  guint index);
gint64 test_field_int (const char *line,
                       guint index);

/* Index in @records of the first line starting with "@event @role ", or -1. */
int test_find_record (GPtrArray *records,
                      const char *event,
                      const char *role);

G_END_DECLS
