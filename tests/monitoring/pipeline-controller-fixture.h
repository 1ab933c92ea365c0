/* pipeline-controller-fixture.h — what the Co2sPipelineController tests
 * share: a real Co2sSupervisor over tests/supervision's fake-service and a
 * controller on it (the embedded broker's semantics unless a test says
 * otherwise), the "state" notifications seen, and waits on the state. */
#pragma once

#include <gio/gio.h>

#include "co2s-pipeline-controller.h"
#include "supervisor-test-util.h"

G_BEGIN_DECLS

#define START_DEADLINE_MS 10000
#define STOP_DEADLINE_MS  15000
#define T0 G_GINT64_CONSTANT (1718000000000000)

/* The controller's values when "state" was notified. */
typedef struct {
  Co2sPipelineState state;
  gboolean can_start;
  gboolean can_stop;
  gboolean can_retrain;
} Snapshot;

typedef struct {
  TestFakeEnv env;
  Co2sSupervisor *sup;
  Co2sPipelineController *ctl;
  GArray *snapshots;
  Co2sPipelineState wanted;   /* for state_is_wanted */
} Fixture;

/* g_test_add's setup and teardown (the teardown shuts the controller down
 * and waits for every child to be gone). */
void fixture_setup (Fixture *f, gconstpointer data);
void fixture_teardown (Fixture *f, gconstpointer data);

/* A Co2sTestPredicate: "state" is f->wanted. */
gboolean state_is_wanted (gpointer data);

/* Waits until "state" is @st (a macro: a timeout names the caller's line). */
#define wait_state(f, st, ms) \
  G_STMT_START { \
    (f)->wanted = (st); \
    co2s_test_assert_wait_msg (state_is_wanted, (f), (ms), "state " #st); \
  } G_STMT_END

/* A Co2sTestPredicate on a HistoryWait: @history holds @n batches. */
typedef struct {
  Co2sMetricsHistory *history;
  guint n;
} HistoryWait;

gboolean history_has (gpointer data);

/* Start, then waits for RUNNING. */
void start_running (Fixture *f);

/* Stop, then waits for STOPPED (every service inactive). */
void stop_stopped (Fixture *f);

G_END_DECLS
