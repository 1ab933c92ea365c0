/* co2s-cli.c — the common start of the command-line programs. */
#define G_LOG_DOMAIN "co2s-cli"

#include "co2s-cli.h"

#include <glib/gi18n-lib.h>
#include <librdkafka/rdkafka.h>

#include "co2s-i18n.h"

static void
print_version (const Co2sCliSpec *spec)
{
  /* Not translated: scripts read it. */
  if (spec->version_librdkafka)
    g_print ("%s %s (librdkafka %s)\n", spec->program, CO2S_VERSION, rd_kafka_version_str ());
  else
    g_print ("%s %s\n", spec->program, CO2S_VERSION);
}

gboolean
co2s_cli_parse (const Co2sCliSpec *spec,
                int *argc,
                char ***argv,
                int *exit_status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean version = FALSE;
  const GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_return_val_if_fail (spec != NULL && spec->program != NULL && spec->entries != NULL, FALSE);
  g_return_val_if_fail (argc != NULL && argv != NULL, FALSE);
  g_return_val_if_fail (exit_status != NULL, FALSE);

  co2s_i18n_init ();
  g_set_prgname (spec->program);

  context = g_option_context_new (spec->parameter_string);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, spec->entries, NULL);
  g_option_context_add_main_entries (context, version_entries, NULL);
  if (spec->summary != NULL)
    g_option_context_set_summary (context, spec->summary);
  if (spec->description != NULL)
    g_option_context_set_description (context, spec->description);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_status = co2s_cli_usage_error ("%s", error->message);
      return FALSE;
    }
  if (version)
    {
      print_version (spec);
      *exit_status = CO2S_EXIT_OK;
      return FALSE;
    }
  if (*argc > 1 && !spec->accepts_arguments)
    {
      *exit_status = co2s_cli_usage_error (_("unexpected argument “%s”"), (*argv)[1]);
      return FALSE;
    }

  *exit_status = CO2S_EXIT_OK;
  return TRUE;
}

int
co2s_cli_usage_error (const char *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  g_return_val_if_fail (format != NULL, CO2S_EXIT_USAGE);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  co2s_print_error ("%s", message);
  co2s_print_help_hint ();
  return CO2S_EXIT_USAGE;
}

int
co2s_cli_failure (const char *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  g_return_val_if_fail (format != NULL, CO2S_EXIT_FAILURE);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  co2s_print_error ("%s", message);
  return CO2S_EXIT_FAILURE;
}
