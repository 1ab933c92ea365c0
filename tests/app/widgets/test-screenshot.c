/* test-screenshot.c — the four widgets together in a window laid out like
 * the app's, in the light and the dark style, saved as PNG files in the
 * build folder (widgets-light.png, widgets-dark.png, log-window.png) for a
 * person to look at. Checks that each picture is not blank and that no
 * label is cut (every label gets at least its minimum width). */
#define G_LOG_DOMAIN "test-screenshot"

#include <glib/gi18n.h>

#include "app-widgets-test-util.h"
#include "co2s-kpi-panel.h"
#include "co2s-log-window.h"
#include "co2s-plot-view.h"
#include "co2s-service-row.h"

typedef struct {
  Co2sMetricsHistory *history;
  Co2sSupervisor *supervisor;
  GtkWidget *content;
  GtkWindow *window;
} Scene;

static void
drive_services (Co2sSupervisor *supervisor)
{
  Co2sService *broker = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_BROKER);
  Co2sService *api = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_API);
  Co2sService *trainer = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_TRAINER);
  Co2sService *producer = co2s_supervisor_get_service (supervisor, CO2S_SERVICE_PRODUCER);

  co2s_service_append_log (broker, "co2stream-broker: bootstrap.servers=127.0.0.1:39143", FALSE);
  co2s_service_set_state (broker, CO2S_SERVICE_STATE_RUNNING, NULL);
  co2s_service_append_log (api, "co2stream-api: listening on http://127.0.0.1:40121", FALSE);
  co2s_service_set_state (api, CO2S_SERVICE_STATE_RUNNING, NULL);
  co2s_service_append_log (trainer, "batch 150: rmse 6.41 g/km, 100 rows, lag 42", FALSE);
  co2s_service_set_state (trainer, CO2S_SERVICE_STATE_RUNNING, NULL);
  co2s_service_set_restart_count (trainer, 2);
  co2s_service_append_log (producer, "co2stream-producer: Connection refused (http://127.0.0.1:40121/stream)", TRUE);
  co2s_service_set_state (producer, CO2S_SERVICE_STATE_FAILED,
                          "Exited with status 1 before it was ready");
}

static GtkWidget *
build_sidebar (Scene *scene)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading;
  GtkWidget *list;

  gtk_widget_set_size_request (box, 420, -1);

  heading = gtk_label_new (_("Training"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0.0f);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), co2s_kpi_panel_new (scene->history, scene->supervisor, NULL));

  heading = gtk_label_new (_("Services"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0.0f);
  gtk_widget_add_css_class (heading, "heading");
  gtk_widget_set_margin_top (heading, 6);
  gtk_box_append (GTK_BOX (box), heading);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    gtk_list_box_append (GTK_LIST_BOX (list),
                         co2s_service_row_new (co2s_supervisor_get_service (scene->supervisor, i),
                                               scene->supervisor));
  gtk_box_append (GTK_BOX (box), list);

  return box;
}

static void
scene_build (Scene *scene)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *body = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *plot;
  GtkWidget *scrolled;

  scene->history = co2s_metrics_history_new ();
  aw_fill_history (scene->history, 1, 150);
  scene->supervisor = co2s_supervisor_new ();
  drive_services (scene->supervisor);

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new ("CO₂ Stream", NULL));

  gtk_widget_set_margin_start (body, 18);
  gtk_widget_set_margin_end (body, 18);
  gtk_widget_set_margin_top (body, 18);
  gtk_widget_set_margin_bottom (body, 18);
  plot = co2s_plot_view_new (scene->history);
  gtk_widget_set_hexpand (plot, TRUE);
  gtk_box_append (GTK_BOX (body), plot);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), build_sidebar (scene));
  gtk_box_append (GTK_BOX (body), scrolled);

  scene->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (scene->content, "background");
  gtk_box_append (GTK_BOX (scene->content), header);
  gtk_box_append (GTK_BOX (scene->content), body);

  scene->window = GTK_WINDOW (adw_window_new ());
  adw_window_set_content (ADW_WINDOW (scene->window), scene->content);
  gtk_window_set_default_size (scene->window, 1280, 900);
  gtk_window_present (scene->window);
}

static gboolean
content_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data)) && gtk_widget_get_width (GTK_WIDGET (data)) > 0;
}

/* Every label under @widget that is shown got at least the width it asks
 * for (nothing clipped by a too small allocation). */
static void
assert_no_clipped_labels (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
      && gtk_label_get_ellipsize (GTK_LABEL (widget)) == PANGO_ELLIPSIZE_NONE
      && !gtk_label_get_wrap (GTK_LABEL (widget)))
    {
      int minimum;

      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      if (gtk_widget_get_width (widget) < minimum)
        g_error ("label “%s” is %d px wide, needs %d", gtk_label_get_text (GTK_LABEL (widget)),
                 gtk_widget_get_width (widget), minimum);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_no_clipped_labels (child);
}

static void
shoot (Scene      *scene,
       const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  AwPixelStats stats;

  /* Restyled (a colour scheme change), laid out and painted. */
  g_assert_true (co2s_test_gtk_wait_frames (scene->content, 2, 5000));
  assert_no_clipped_labels (scene->content);
  texture = aw_render_widget (scene->content);
  path = aw_save_png (texture, name);
  aw_pixel_stats (texture, &stats);
  g_test_message ("%s: %dx%d, %" G_GUINT64_FORMAT " non-background pixels", path,
                  stats.width, stats.height, stats.non_background);
  g_assert_cmpuint (stats.non_background, >, (guint64) stats.width * stats.height / 50);
}

static void
test_window (void)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  Scene scene = { 0 };

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  scene_build (&scene);
  co2s_test_assert_wait (content_mapped, scene.content, 5000);
  shoot (&scene, "widgets-light.png");

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  shoot (&scene, "widgets-dark.png");
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_LIGHT);

  gtk_window_destroy (scene.window);
  g_clear_object (&scene.history);
  g_clear_object (&scene.supervisor);
}

static void
test_empty (void)
{
  g_autoptr(Co2sMetricsHistory) history = co2s_metrics_history_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *plot;
  GtkWindow *window;

  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  plot = co2s_plot_view_new (history);
  gtk_widget_set_vexpand (plot, TRUE);
  gtk_box_append (GTK_BOX (box), plot);
  gtk_box_append (GTK_BOX (box), co2s_kpi_panel_new (history, NULL, NULL));
  gtk_widget_add_css_class (frame, "background");
  gtk_box_append (GTK_BOX (frame), box);
  window = aw_show_in_window (frame, 1000, 700);
  g_assert_true (co2s_test_gtk_wait_frames (frame, 2, 5000));
  texture = aw_render_widget (frame);
  path = aw_save_png (texture, "widgets-empty.png");
  gtk_window_destroy (window);
}

static void
test_log_window (void)
{
  g_autoptr(Co2sService) service = co2s_service_new ("trainer", "Trainer");
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkWidget *window;

  for (guint i = 1; i <= 40; i++)
    {
      g_autofree char *line = g_strdup_printf ("co2stream-trainer: batch %u: rmse %.2f g/km, %u rows, lag %u",
                                               i, 6.0 + 30.0 / i, 100 * i, 40 - i);

      co2s_service_append_log (service, line, i % 7 == 0);
    }
  co2s_service_append_log (service, "A very long line that has to wrap inside the log window because it goes on and on with details about the consumer group, the partitions it was assigned and the offsets it resumed from", FALSE);

  window = co2s_log_window_new (service);
  gtk_window_present (GTK_WINDOW (window));
  co2s_test_assert_wait (content_mapped, window, 5000);
  g_assert_true (co2s_test_gtk_wait_frames (window, 2, 5000));
  texture = aw_render_widget (adw_window_get_content (ADW_WINDOW (window)));
  path = aw_save_png (texture, "log-window.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  aw_test_init (&argc, &argv);

  g_test_add_func ("/app-widgets/screenshot/window", test_window);
  g_test_add_func ("/app-widgets/screenshot/empty", test_empty);
  g_test_add_func ("/app-widgets/screenshot/log-window", test_log_window);

  return g_test_run ();
}
