/* co2s-test-gtk.c — see co2s-test-gtk.h. */
#define G_LOG_DOMAIN "co2s-test"

#include "co2s-test-gtk.h"

typedef struct
{
  guint painted;
  guint wanted;
} FrameWait;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer data)
{
  ((FrameWait *) data)->painted++;
}

static gboolean
frames_painted (gpointer data)
{
  FrameWait *wait = data;

  return wait->painted >= wait->wanted;
}

gboolean
co2s_test_gtk_wait_frames (GtkWidget *widget,
                           guint n_frames,
                           guint timeout_ms)
{
  FrameWait wait = { 0, n_frames };
  GdkFrameClock *clock;
  gulong handler;
  gboolean ok;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (gtk_widget_get_realized (widget), FALSE);

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &wait);
  gdk_frame_clock_begin_updating (clock);
  ok = co2s_test_wait_until (frames_painted, &wait, timeout_ms);
  gdk_frame_clock_end_updating (clock);
  g_signal_handler_disconnect (clock, handler);
  return ok;
}

gboolean
co2s_test_gtk_widget_mapped (gpointer widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  return gtk_widget_get_mapped (widget);
}

gboolean
co2s_test_gtk_widget_visible (gpointer widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  return gtk_widget_get_visible (widget);
}

gboolean
co2s_test_gtk_widget_hidden (gpointer widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  return !gtk_widget_get_visible (widget);
}
