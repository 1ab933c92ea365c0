/* supervisor-host.c — a tiny program that runs a Co2sSupervisor, for
 * /supervisor/no-orphans-when-killed: the test SIGKILLs it and checks that
 * none of the children it reported outlives it.
 *
 * Usage: supervisor-host BIN_DIR DATASET MODEL_DIR
 * Starts the pipeline from BIN_DIR, prints "pid NAME PID" per service and
 * then "ready" on stdout, and runs until SIGTERM/SIGINT (then stops the
 * pipeline and exits 0) or until killed. */
#define G_LOG_DOMAIN "supervisor-host"

#include <glib.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>

#include "co2s-supervisor.h"

static GMainLoop *loop;
static int status;

static void
stopped_cb (GObject *source,
            GAsyncResult *result,
            gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!co2s_supervisor_stop_finish (CO2S_SUPERVISOR (source), result, &error))
    {
      g_printerr ("supervisor-host: stop failed: %s\n", error->message);
      status = 1;
    }
  g_main_loop_quit (loop);
}

static gboolean
on_signal (gpointer data)
{
  co2s_supervisor_stop_async (CO2S_SUPERVISOR (data), NULL, stopped_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
started_cb (GObject *source,
            GAsyncResult *result,
            gpointer data)
{
  Co2sSupervisor *supervisor = CO2S_SUPERVISOR (source);
  g_autoptr(GError) error = NULL;

  if (!co2s_supervisor_start_finish (supervisor, result, &error))
    {
      g_print ("error: %s\n", error->message);
      fflush (stdout);
      status = 1;
      co2s_supervisor_stop_async (supervisor, NULL, stopped_cb, NULL);
      return;
    }

  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      Co2sService *service = co2s_supervisor_get_service (supervisor, i);

      g_print ("pid %s %d\n", co2s_service_get_name (service), (int) co2s_service_get_pid (service));
    }
  g_print ("ready\n");
  fflush (stdout);
}

int
main (int argc,
      char **argv)
{
  g_autoptr(Co2sSupervisor) supervisor = NULL;

  if (argc != 4)
    {
      g_printerr ("usage: supervisor-host BIN_DIR DATASET MODEL_DIR\n");
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  supervisor = co2s_supervisor_new ();
  g_object_set (supervisor, "bin-dir", argv[1], "dataset", argv[2], "model-dir", argv[3], NULL);

  g_unix_signal_add (SIGTERM, on_signal, supervisor);
  g_unix_signal_add (SIGINT, on_signal, supervisor);
  co2s_supervisor_start_async (supervisor, NULL, started_cb, NULL);
  g_main_loop_run (loop);

  g_main_loop_unref (loop);
  return status;
}
