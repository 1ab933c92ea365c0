/* app-test-util.h — helpers of the desktop app's tests: a private X server
 * and session bus, the app driven in-process (its test settings, waits on
 * its state), widget and window lookups, accessibility checks, and checks
 * that exported PNG/SVG/PDF files are valid and not blank.
 *
 * Main thread only. A missing prerequisite (Xvfb, dbus-daemon, the data
 * set) fails the test loudly. Waits are tests/common's (co2s-test-util.h,
 * co2s-test-gtk.h). */
#pragma once

#include <adwaita.h>

#include "co2s-application.h"
#include "co2s-kpi-panel.h"
#include "co2s-plot-view.h"
#include "co2s-test-gtk.h"
#include "co2s-window.h"

G_BEGIN_DECLS

/* Starts Xvfb on a free display (-displayfd) and a private session bus
 * (GTestDBus), and sets DISPLAY, GDK_BACKEND=x11, GSK_RENDERER=cairo,
 * GSETTINGS_BACKEND=memory, and G_DEBUG=fatal-criticals for the programs
 * the app starts (co2s_test_children_fatal_criticals). Both end when the
 * test process exits (Xvfb also if it is killed). Aborts when either cannot
 * start. Call before anything touches GTK. */
void app_test_start_display (void);

/* A Co2sApplication with a test id, registered (startup ran) and activated
 * (its window exists). Returns the app (transfer full) and its window in
 * @window (transfer none). */
Co2sApplication *app_test_new_app (Co2sWindow **window);

/* What an app test program drives: the app (owned), its window and main
 * widgets (owned by the app), the data set, and a model folder in a fresh
 * temporary folder. */
typedef struct {
  Co2sApplication *app;
  Co2sWindow *window;
  Co2sPlotView *plot;
  Co2sKpiPanel *kpis;
  char *dataset;
  char *model_dir;
  char *tmp_dir;
} AppTestSession;

/* After app_test_start_display: makes the app (app_test_new_app), points
 * its pipeline settings at the data set and the model folder
 * (app_test_configure_pipeline) and waits until the window is mapped. */
void app_test_session_open (AppTestSession *session);

/* Stops the pipeline if it still runs (nothing may be left running,
 * whatever a test did), then frees @session and drops the app. */
void app_test_session_close (AppTestSession *session);

/* One test of an app test program: its GTest path and function. */
typedef struct {
  const char *path;
  GTestFunc func;
} AppTestCase;

/* The main of an app test program whose tests share one session: the
 * app's i18n (co2s_app_init_i18n), g_test_init (@argc, @argv),
 * app_test_start_display, app_test_session_open (@session), the @n_cases
 * @cases added in order and run, app_test_session_close (@session).
 * Returns g_test_run's status. */
int app_test_session_main (int               *argc,
                           char            ***argv,
                           AppTestSession    *session,
                           const AppTestCase *cases,
                           gsize              n_cases);

/* Every GtkLabel text (gtk_label_get_label: with mnemonics) under @root,
 * including @root; an array of strings (transfer container, strings owned
 * by the labels). */
GPtrArray *app_test_collect_labels (GtkWidget *root);

/* TRUE when some label under @root shows exactly @text. */
gboolean app_test_has_label (GtkWidget *root,
                             const char *text);

/* The first widget of @type under @root (depth first), or NULL. */
GtkWidget *app_test_find_widget (GtkWidget *root,
                                 GType type);

/* The first AdwPreferencesRow under @root whose title is @title (as
 * written in the .ui, with its mnemonic underscore), or NULL. */
GtkWidget *app_test_find_row (GtkWidget *root,
                              const char *title);

/* TRUE when some label under @root shows a text containing @text. */
gboolean app_test_has_label_containing (GtkWidget *root,
                                        const char *text);

/* The real data set ($CO2S_DATASET or <source>/data/co2_processed.csv); the
 * test fails (g_error naming both places) when it is missing. */
char *app_test_dataset_path (void);

/* Points @app's settings at @dataset and @model_dir, on the local backend
 * with the embedded broker, the ls model, and a test pace (5 batches of 100
 * rows per second). Neither path is kept. */
void app_test_configure_pipeline (Co2sApplication *app,
                                  const char *dataset,
                                  const char *model_dir);

/* Wait predicates (co2s_test_wait_until) on the default application, a
 * Co2sApplication (g_application_get_default; aborts otherwise):
 * app_test_pipeline_is: its pipeline state is @state, a Co2sPipelineState
 * in GINT_TO_POINTER; app_test_dataset_missing_is: its dataset-missing flag
 * is @missing, a gboolean in GINT_TO_POINTER. */
gboolean app_test_pipeline_is (gpointer state);
gboolean app_test_dataset_missing_is (gpointer missing);

/* Prints each of @app's services (state, message, last line) and its last
 * error to stderr: context for a failure. */
void app_test_dump_services (Co2sApplication *app);

/* Activates @app's "start" (which must be enabled) and waits up to
 * @timeout_ms for the pipeline to run; if it fails or does not run by
 * then, dumps the services and fails the test: "the pipeline did not reach
 * Running@where within N s" (@where: e.g. " on the local Kafka", or ""). */
void app_test_start_pipeline (Co2sApplication *app,
                              guint timeout_ms,
                              const char *where);

/* The first visible toplevel window of @type (or a subtype), or NULL;
 * transfer none (GTK keeps its toplevels). */
GtkWindow *app_test_find_toplevel (GType type);

/* Wait predicate: a visible toplevel of the GType @type (GSIZE_TO_POINTER)
 * is mapped. */
gboolean app_test_toplevel_mapped (gpointer type);

/* Fails the test (after printing each one) when a visible control under
 * @root (button, switch, entry, spin button, drop-down, combo or entry
 * row; not the inner parts of composite controls) has no accessible name
 * (a label property or a labelled-by relation; needs GTK_A11Y=test). */
void app_test_assert_all_named (GtkWidget *root);

/* Fails the test (after printing each clash) when two mnemonics mapped
 * under @root use the same key (an entry row's two labels count as one),
 * or when @root shows fewer than 3 mnemonics (the check saw nothing). */
void app_test_assert_mnemonics_unique (GtkWidget *root);

/* Checks @path is a valid, non-blank export of the RMSE plot in the format
 * of its extension: a PNG of @width × @height pixels with drawn content,
 * an SVG that renders to a non-blank image, a PDF whose page draws lines.
 * Fails the test (g_assert) otherwise. */
void app_test_assert_plot_file (const char *path,
                                int width,
                                int height);

G_END_DECLS
