/* co2s-app-cli.c — the command line of the co2stream desktop app. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-app-cli.h"

#include <glib/gi18n.h>
#include <string.h>

#include "co2s-app-config.h"
#include "co2s-contracts.h"
#include "co2s-metrics-history.h"
#include "co2s-rmse-plot.h"

static const GOptionEntry option_entries[] = {
  { "start", 's', 0, G_OPTION_ARG_NONE, NULL,
    N_("Start the pipeline at launch"), NULL },
  { "export-plot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Write the RMSE plot to FILE (.png, .svg or .pdf) and exit; needs no display"), N_("FILE") },
  { "metrics", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("With --export-plot: metrics file to plot (default: metrics.jsonl in the model folder)"), N_("PATH") },
  { "model-dir", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("With --export-plot: model folder holding metrics.jsonl (default: from the preferences)"), N_("DIR") },
  { "plot", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --export-plot: rmse (the prediction error), lag (the trainer’s consumer lag) or "
       "throughput (rows learned per second); default: as in the window"), N_("WHAT") },
  { "last", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("With --export-plot: plot only the last N batches (default: all)"), N_("N") },
  { "width", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("With --export-plot: width in pixels (PNG) or points (SVG, PDF); default 960"), N_("WIDTH") },
  { "height", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("With --export-plot: height in pixels (PNG) or points (SVG, PDF); default 600"), N_("HEIGHT") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  G_OPTION_ENTRY_NULL
};

/* co2stream --export-plot: runs before any display is opened. Returns the
 * exit status. */
static int
export_plot (GVariantDict *options,
                               const char *file)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(Co2sMetricsHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *model_dir = NULL;
  Co2sRmsePlotOptions plot_options;
  g_autofree char *setting = NULL;
  g_autofree char *given = NULL;
  const char *what;
  int last = 0;
  int width = CO2S_APP_CLI_EXPORT_WIDTH;
  int height = CO2S_APP_CLI_EXPORT_HEIGHT;
  const char *ext = strrchr (file, '.');

  if (ext == NULL ||
      (g_ascii_strcasecmp (ext, ".png") != 0 && g_ascii_strcasecmp (ext, ".svg") != 0 &&
       g_ascii_strcasecmp (ext, ".pdf") != 0))
    {
      g_printerr (_("co2stream: cannot export to “%s”: the file name must end in .png, .svg or .pdf\n"), file);
      return 2;
    }

  g_variant_dict_lookup (options, "last", "i", &last);
  g_variant_dict_lookup (options, "width", "i", &width);
  g_variant_dict_lookup (options, "height", "i", &height);
  if (last < 0)
    {
      g_printerr (_("co2stream: --last must be 0 (all batches) or more, not %d\n"), last);
      return 2;
    }
  if (width < 16 || width > 16384 || height < 16 || height > 16384)
    {
      g_printerr (_("co2stream: the plot size %d × %d is outside 16…16384\n"), width, height);
      return 2;
    }

  /* The settings are optional here: without the schema, the defaults. */
  settings = co2s_app_create_settings (NULL);

  co2s_rmse_plot_options_init (&plot_options);
  if (settings != NULL)
    {
      plot_options.log_y = g_settings_get_boolean (settings, "plot-log-scale");
      plot_options.show_fit = g_settings_get_boolean (settings, "plot-show-fit");
      plot_options.show_rolling = g_settings_get_boolean (settings, "plot-show-rolling-mean");
      setting = g_settings_get_string (settings, "plot-quantity");
    }
  what = g_variant_dict_lookup (options, "plot", "s", &given) ? given : setting;
  if (what != NULL)
    {
      GEnumClass *quantities = g_type_class_ref (CO2S_TYPE_PLOT_QUANTITY);
      GEnumValue *value = g_enum_get_value_by_nick (quantities, what);

      g_type_class_unref (quantities);
      if (value == NULL)
        {
          g_printerr (_("co2stream: --plot %s: use rmse, lag or throughput\n"), what);
          return 2;
        }
      plot_options.quantity = value->value;
    }
  plot_options.last_n = (guint) last;
  plot_options.title = plot_options.quantity == CO2S_PLOT_QUANTITY_LAG ? _("Consumer lag of the trainer per batch")
                       : plot_options.quantity == CO2S_PLOT_QUANTITY_THROUGHPUT ? _("Rows learned per second")
                       : _("Prequential RMSE per batch");

  if (!g_variant_dict_lookup (options, "metrics", "^ay", &metrics))
    {
      if (!g_variant_dict_lookup (options, "model-dir", "^ay", &model_dir))
        {
          model_dir = co2s_app_dup_path_setting (settings, "model-dir", NULL);
        }
      metrics = g_build_filename (model_dir, CO2S_METRICS_FILE, NULL);
    }

  history = co2s_metrics_history_new ();
  /* --last N: only the file's last N lines are read (from its end). */
  if (!co2s_metrics_history_load_file_last (history, metrics, (guint) last, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_printerr (_("co2stream: no metrics at “%s”: start the pipeline first, or give the file with --metrics\n"),
                    metrics);
      else
        g_printerr (_("co2stream: cannot read the metrics: %s\n"), error->message);
      return 1;
    }

  if (!co2s_rmse_plot_export (history, &plot_options, file, width, height, &error))
    {
      g_printerr (_("co2stream: cannot export the plot: %s\n"), error->message);
      return 1;
    }

  g_print (ngettext ("Wrote %s (%u batch)\n", "Wrote %s (%u batches)\n",
                     co2s_metrics_history_get_n_batches (history)),
           file, co2s_metrics_history_get_n_batches (history));
  return 0;
}

/* ---- public API ------------------------------------------------------------ */

void
co2s_app_cli_add_options (GApplication *app)
{
  g_return_if_fail (G_IS_APPLICATION (app));

  g_application_add_main_option_entries (app, option_entries);
  g_application_set_option_context_parameter_string (app, NULL);
  g_application_set_option_context_summary (app,
    _("Starts and watches the co2stream pipeline (broker, API, trainer, producer), plots how\n"
      "the CO₂ emissions model learns, predicts emissions and exports the plot.\n"
      "\n"
      "Examples:\n"
      "  co2stream --start\n"
      "  co2stream --export-plot rmse.pdf --metrics models/metrics.jsonl --last 200"));
}

int
co2s_app_cli_handle_export (GVariantDict *options)
{
  g_autofree char *export_file = NULL;

  g_return_val_if_fail (options != NULL, 2);

  if (g_variant_dict_lookup (options, "export-plot", "^ay", &export_file))
    return export_plot (options, export_file);

  if (g_variant_dict_contains (options, "metrics") || g_variant_dict_contains (options, "last") ||
      g_variant_dict_contains (options, "plot") ||
      g_variant_dict_contains (options, "width") || g_variant_dict_contains (options, "height") ||
      g_variant_dict_contains (options, "model-dir"))
    {
      g_printerr (_("co2stream: --metrics, --model-dir, --plot, --last, --width and --height only go with --export-plot\n"));
      return 2;
    }

  return -1;
}
