/* co2s-app-config.c — where the desktop app finds its settings schema, its
 * translations and the files of the pipeline. */
#define G_LOG_DOMAIN "co2s-app"

#include "co2s-app-config.h"

#include <glib/gi18n.h>

#include "co2s-i18n.h"

static char *
absolute_path (const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (g_path_is_absolute (path))
    return g_canonicalize_filename (path, NULL);

  file = g_file_new_for_commandline_arg (path);
  return g_file_get_path (file);
}

/* The project folder: the current folder or, running uninstalled, the
 * source tree; first one holding the data set, else first one looking like
 * the project (data/README.md). NULL when none. */
static char *
find_project_root (void)
{
  g_autofree char *cwd = g_get_current_dir ();
  const char *candidates[2] = { cwd, NULL };

  if (co2s_app_is_uninstalled ())
    candidates[1] = CO2S_SOURCE_ROOT;

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *csv = NULL;

      if (candidates[i] == NULL)
        continue;
      csv = g_build_filename (candidates[i], "data", "co2_processed.csv", NULL);
      if (g_file_test (csv, G_FILE_TEST_IS_REGULAR))
        return g_strdup (candidates[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *readme = NULL;

      if (candidates[i] == NULL)
        continue;
      readme = g_build_filename (candidates[i], "data", "README.md", NULL);
      if (g_file_test (readme, G_FILE_TEST_IS_REGULAR))
        return g_strdup (candidates[i]);
    }

  return NULL;
}

static char *
dup_setting_path (GSettings *settings,
                  const char *key,
                  gboolean *is_default)
{
  g_autofree char *value = settings != NULL ? g_settings_get_string (settings, key) : NULL;

  if (is_default != NULL)
    *is_default = (value == NULL || value[0] == '\0');
  if (value == NULL || value[0] == '\0')
    return NULL;

  return absolute_path (value);
}

static char *
default_dataset_path (void)
{
  const char *env = g_getenv ("CO2S_DATASET");
  g_autofree char *root = NULL;

  if (env != NULL && env[0] != '\0')
    return absolute_path (env);

  root = find_project_root ();
  if (root == NULL)
    root = g_get_current_dir ();

  return g_build_filename (root, "data", "co2_processed.csv", NULL);
}

static char *
default_model_dir (void)
{
  g_autofree char *root = find_project_root ();

  if (root != NULL)
    return g_build_filename (root, "models", NULL);

  return g_build_filename (g_get_user_data_dir (), "co2stream", "models", NULL);
}

static char *
default_compose_file (void)
{
  g_autofree char *root = find_project_root ();

  if (root == NULL)
    root = g_get_current_dir ();

  return g_build_filename (root, "docker-compose.yml", NULL);
}

/* ---- public API ------------------------------------------------------------ */

void
co2s_app_init_i18n (void)
{
  /* The same as every co2stream program: see co2s-i18n.h. */
  co2s_i18n_init ();
}

gboolean
co2s_app_is_uninstalled (void)
{
  return co2s_is_uninstalled ();
}

GSettings *
co2s_app_create_settings (GError **error)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchemaSource) build_source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, CO2S_APP_ID, TRUE);

  if (schema == NULL && co2s_app_is_uninstalled ())
    {
      g_autofree char *dir = g_build_filename (CO2S_BUILD_ROOT, "resources", NULL);

      build_source = g_settings_schema_source_new_from_directory (dir, source, FALSE, NULL);
      if (build_source != NULL)
        schema = g_settings_schema_source_lookup (build_source, CO2S_APP_ID, TRUE);
    }

  if (schema == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The settings schema %s is not installed: run “meson install”, or point "
                     "GSETTINGS_SCHEMA_DIR to a folder where it was compiled"), CO2S_APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

char *
co2s_app_dup_path_setting (GSettings *settings,
                           const char *key,
                           gboolean *is_default)
{
  char *path;

  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  path = dup_setting_path (settings, key, is_default);
  if (path != NULL)
    return path;

  if (g_str_equal (key, "dataset"))
    return default_dataset_path ();
  if (g_str_equal (key, "model-dir"))
    return default_model_dir ();
  if (g_str_equal (key, "compose-file"))
    return default_compose_file ();

  g_return_val_if_reached (NULL);
}
