/* co2s-test-gtk.h — the GTK side of tests/common for the GUI tests
 * (tests/app, tests/app/widgets): waits that need a widget, on top of
 * co2s-test-util.h's condition waits. Main thread only. */
#pragma once

#include <gtk/gtk.h>

#include "co2s-test-util.h"

G_BEGIN_DECLS

/* Iterates the default main context until the frame clock of @widget
 * (realized) has painted @n_frames frames after this call, keeping the
 * clock running meanwhile. FALSE when @timeout_ms pass first. For a
 * condition that is "drawn on screen", such as before rendering a
 * screenshot; wait on the widget's own state otherwise. */
gboolean co2s_test_gtk_wait_frames (GtkWidget *widget,
                                    guint n_frames,
                                    guint timeout_ms);

/* Co2sTestPredicates on a GtkWidget: it is mapped (shown on screen); it
 * is visible (gtk_widget_get_visible); it is not visible. */
gboolean co2s_test_gtk_widget_mapped (gpointer widget);
gboolean co2s_test_gtk_widget_visible (gpointer widget);
gboolean co2s_test_gtk_widget_hidden (gpointer widget);

G_END_DECLS
