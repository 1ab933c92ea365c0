/* supervisor-test-util.h — the supervisor tests' fixture helpers, on top of
 * tests/common (waits, temporary directories, processes). */
#pragma once

#include <gio/gio.h>

#include "co2s-supervisor.h"
#include "co2s-test-util.h"

G_BEGIN_DECLS

/* The files of a test over fake-service (tests/supervision/fake-service.c):
 * a temporary folder @tmp, its bin/ of fake programs (@bin), the record file
 * fake-service appends to (@record, exported as FAKE_RECORD), a one-line
 * data set (@dataset) and a models folder path (@models). */
typedef struct {
  char *tmp;
  char *bin;
  char *record;
  char *dataset;
  char *models;
} TestFakeEnv;

/* Creates the folder and files of @env (caller-allocated, zeroed), sets
 * FAKE_RECORD and unsets every other FAKE_* switch. Fails the test when a
 * file cannot be made. */
void test_fake_env_init (TestFakeEnv *env);

/* Unsets the FAKE_* variables, deletes @env's folder and frees its paths. */
void test_fake_env_clear (TestFakeEnv *env);

/* A folder in @parent with co2stream-{broker,api,trainer,producer}
 * symlinked to $FAKE_SERVICE (fails the test if unset). */
char *test_make_fake_bin_dir (const char *parent);

/* Teardown: stops @sup if it is active, drops the reference in *@sup and
 * waits until this process has no live child left, each within
 * @timeout_ms (the test fails naming @what otherwise). */
void test_supervisor_stop_all (Co2sSupervisor **sup,
                               guint timeout_ms,
                               const char *what);

/* A supervisor running @env's fake programs on its data set and models
 * folder, with short test timeouts (ready 5 s, stop 2 s, restarts after
 * 100–400 ms) and otherwise the defaults. Returns a new reference. */
Co2sSupervisor *test_fake_supervisor_new (TestFakeEnv *env);

/* Starts @sup and waits (@timeout_ms) for success; then waits until the
 * fake producer of @env has recorded its start (it installs its SIGTERM
 * handler first), so the records are complete. */
void test_supervisor_start_ok (Co2sSupervisor *sup,
                               TestFakeEnv *env,
                               guint timeout_ms);

/* Stops @sup and waits (@timeout_ms) for success. */
void test_supervisor_stop_ok (Co2sSupervisor *sup,
                              guint timeout_ms);

/* Starts @sup, which must fail within @timeout_ms; returns the error. */
GError *test_supervisor_start_fails (Co2sSupervisor *sup,
                                     guint timeout_ms);

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
