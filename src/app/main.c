/* main.c — co2stream, the desktop app: start and watch the pipeline, plot
 * how the model learns, predict, export. See co2s-application.h. */
#define G_LOG_DOMAIN "co2stream"

#include "co2s-application.h"

int
main (int argc,
      char *argv[])
{
  g_autoptr(Co2sApplication) app = NULL;

  co2s_app_init_i18n ();

  app = co2s_application_new (NULL, G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
