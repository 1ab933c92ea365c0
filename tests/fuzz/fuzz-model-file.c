/* fuzz-model-file.c — the model file reader (models/model.json, read by
 * co2stream-trainer and co2stream-predict): co2s_checkpoint_parse.
 *
 * Must hold for any input: the reader returns a checkpoint or an error with
 * a readable message (never a crash: 100,000 nested brackets used to
 * overflow json-glib's recursion); a checkpoint it accepts is written back
 * by co2s_checkpoint_to_json into a file it accepts again and writes
 * identically (crashes/model-file/written-readable-1e22.json: json-glib's
 * generator wrote 1e22 as "1e+22.0", not JSON); its model predicts without
 * trouble. */
#define G_LOG_DOMAIN "fuzz-model-file"

#include <string.h>

#include <gio/gio.h>

#include "co2s-checkpoint.h"
#include "co2s-record.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sCheckpoint) again = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  double x[CO2S_N_FEATURES] = { 2.0, 4, 9.9, 6.7, 8.5, 33, 0, 0, 0, 1 };
  double coef[CO2S_MAX_FEATURES], intercept;   /* a fuel-set model has 35 */

  cp = co2s_checkpoint_parse ((const char *) data, size, "fuzz/model.json", &error);
  if (cp == NULL)
    {
      fuzz_check_error (error, "co2s_checkpoint_parse");
      fuzz_check (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA),
                  "unexpected error %s %d: %s", g_quark_to_string (error->domain), error->code,
                  error->message);
      return 0;
    }

  fuzz_check (cp->model != NULL, "a checkpoint without a model");
  /* Several models: the champion's aliases are its, every model predicts,
   * and every name is found again. */
  fuzz_check (cp->models->len >= 1 && cp->champion < cp->models->len, "no models, or a champion beyond them");
  fuzz_check (cp->model == co2s_checkpoint_get_model (cp, cp->champion)->model &&
              cp->conformal == co2s_checkpoint_get_model (cp, cp->champion)->conformal,
              "cp->model or cp->conformal is not the champion's");
  for (guint i = 0; i < cp->models->len; i++)
    {
      Co2sCheckpointModel *m = co2s_checkpoint_get_model (cp, i);
      Co2sModelSpec spec;
      char name[CO2S_MODEL_SPEC_MAX];

      co2s_model_get_spec (m->model, &spec);
      fuzz_check (co2s_checkpoint_find_model (cp, co2s_model_spec_to_string (&spec, name)) == (int) i,
                  "model %u (%s) is not found by its name", i, name);
      (void) co2s_model_predict (m->model, x);
      co2s_conformal_prepare (m->conformal);
      (void) co2s_conformal_half_width (m->conformal, x);
      (void) co2s_checkpoint_model_get_rolling_rmse (m);
    }
  for (guint i = 1; cp->offsets != NULL && i < cp->offsets->len; i++)
    fuzz_check (g_array_index (cp->offsets, Co2sPartitionOffset, i - 1).partition <
                g_array_index (cp->offsets, Co2sPartitionOffset, i).partition,
                "offsets not sorted by partition, or a partition twice");
  (void) co2s_model_predict (cp->model, x);
  memset (x, 0, sizeof x);
  (void) co2s_model_predict (cp->model, x);
  co2s_model_get_coefficients (cp->model, coef, &intercept);

  json = co2s_checkpoint_to_json (cp);
  fuzz_check_utf8 (json, -1, "co2s_checkpoint_to_json");
  again = co2s_checkpoint_parse (json, strlen (json), "fuzz/written.json", &error);
  fuzz_check (again != NULL, "an accepted model file, written back, is refused: %s\n%s",
              error->message, json);
  json_again = co2s_checkpoint_to_json (again);
  fuzz_check (strcmp (json, json_again) == 0, "written twice, the model file differs:\n%s\n%s",
              json, json_again);
  return 0;
}
