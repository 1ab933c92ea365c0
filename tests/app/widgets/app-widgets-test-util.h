/* app-widgets-test-util.h — shared helpers of the app-widgets tests:
 * GTK/libadwaita setup under Xvfb, synthetic batches, rendering a widget to
 * pixels. Waits are tests/common's (co2s-test-util.h, co2s-test-gtk.h). */
#pragma once

#include <adwaita.h>

#include "co2s-metrics-history.h"
#include "co2s-test-gtk.h"

G_BEGIN_DECLS

/* g_test_init + adw_init + the widgets' CSS; aborts loudly without a
 * display (the tests run under xvfb-run). */
void aw_test_init (int *argc, char ***argv);

/* Batch @i (1-based) of a synthetic training run: RMSE decaying from ~40 to
 * ~6 g/km, 100 rows per batch, one batch per @spacing_us ending now. */
void aw_make_batch (Co2sBatchMetrics *m, guint64 i, guint64 n_total, gint64 spacing_us);

/* Appends batches @from .. @to (inclusive) to @history with one "changed". */
void aw_fill_history (Co2sMetricsHistory *history, guint64 from, guint64 to);

/* A toplevel window of @width × @height showing @child, presented; waits
 * until it is mapped, laid out and painted once. */
GtkWindow *aw_show_in_window (GtkWidget *child, int width, int height);

/* Renders @widget as it is now into a texture (GtkSnapshot → the window's
 * GskRenderer). */
GdkTexture *aw_render_widget (GtkWidget *widget);

/* Pixel statistics of @texture: mean luminance (0..255) and how many pixels
 * differ from the most common colour (background) by more than a few levels. */
typedef struct {
  int width, height;
  double mean_luma;
  guint64 non_background;
  guint32 background;       /* 0xRRGGBB of the most common colour */
} AwPixelStats;
void aw_pixel_stats (GdkTexture *texture, AwPixelStats *out);

/* Saves @texture as a PNG in $CO2S_SCREENSHOT_DIR (or the current folder)
 * under @name; returns the path (free it). */
char *aw_save_png (GdkTexture *texture, const char *name);

/* Pixels of @texture within @tolerance (per channel) of 0xRRGGBB @rgb. */
guint64 aw_count_colour (GdkTexture *texture, guint32 rgb, int tolerance);

/* The first GtkLabel under @root (depth first, @root included) whose text
 * is @text, or NULL. */
GtkWidget *aw_find_label (GtkWidget *root, const char *text);

/* CPU time (user + system) this process used so far, in microseconds. */
guint64 aw_cpu_time_us (void);

G_END_DECLS
