/* co2s-model-private.h — what the model (co2s-model.c) shares with its
 * algorithms (co2s-model-ls.c, co2s-model-sgd.c). Not API.
 *
 * co2s-model.c owns the GObject and does what every algorithm shares: it
 * checks arguments, refuses batches holding a non-finite value, counts
 * rows, predicts (intercept + Σ coef·x, in the raw feature space) and reads
 * and writes the common members of the saved model. An algorithm keeps its
 * own state in self->state (state_size bytes, zeroed, then init), learns,
 * keeps self->coef and self->intercept up to date, and reads and writes the
 * "state" member. Same thread rules as Co2sModel: one thread at a time. */
#pragma once

#include "co2s-model.h"

G_BEGIN_DECLS

#define NF CO2S_N_FEATURES
/* Room for the widest feature set; an algorithm uses self->dim of it. */
#define MAXF CO2S_MAX_FEATURES

typedef struct _Co2sModelAlgorithm Co2sModelAlgorithm;

struct _Co2sModel
{
  GObject parent_instance;

  Co2sAlgo algo;
  Co2sFeatureSet features;
  guint dim;                  /* co2s_feature_set_get_dim (features) */
  const Co2sModelAlgorithm *algorithm;
  guint64 rows_seen;

  /* What predict() uses, in the raw (expanded) feature space. */
  double coef[MAXF];
  double intercept;

  /* learn()'s expanded rows (n × dim) for a feature set wider than the
   * ten inputs; grows to the largest batch, so learning allocates nothing
   * once batches have their usual size. */
  double *expanded;
  gsize expanded_rows;

  gpointer state;             /* the algorithm's: algorithm->state_size bytes */
};

/* One algorithm. Every function gets a model of this algorithm. */
struct _Co2sModelAlgorithm
{
  const char *name;           /* co2s_algo_to_string: "ls", "sgd" */
  gsize state_size;

  /* Sets up a fresh state (already zeroed); NULL when zeroes will do. */
  void (*init) (Co2sModel *self);

  /* TRUE: learn() gets the ten inputs (n × NF) whatever the feature set,
   * and expands them itself where it needs to (_co2s_model_expand_rows). */
  gboolean learns_base_rows;

  /* Learns @n > 0 rows, all finite (@x is n × self->dim, row-major, the
   * expanded features, or n × NF with learns_base_rows), and updates
   * self->coef and self->intercept. FALSE when the batch was rolled back:
   * the model is then as before and the rows do not count. */
  gboolean (*learn) (Co2sModel *self, const double *x, const double *y, guint n);

  /* Adds the members of "state" to the object @builder is in. */
  void (*to_json) (Co2sModel *self, JsonBuilder *builder);

  /* Reads and checks the members of "state" that to_json wrote; the
   * common members (rows_seen, coefficients, intercept) are read already.
   * FALSE with a G_IO_ERROR_INVALID_DATA error naming the member by its
   * path, "state.…" (co2s-json-reader.h). */
  gboolean (*from_json) (Co2sModel *self, JsonObject *state, GError **error);

  /* Rows whose step was capped; NULL when the algorithm never caps. */
  guint64 (*get_steps_capped) (Co2sModel *self);

  /* Adds the rows the @n ≥ 1 models @others (same algorithm and feature
   * set; at most one of them, and only when @n = 1, is @self) learned into
   * self's state, in their order, as if self had learned them, then
   * updates self->coef and self->intercept once; co2s-model.c counts the
   * rows. All have learned rows (co2s-model.c copies into an empty model
   * and skips empty ones). NULL when the algorithm's models cannot be
   * merged. */
  void (*merge) (Co2sModel *self, Co2sModel *const *others, guint n);
};

extern const Co2sModelAlgorithm _co2s_model_ls;    /* co2s-model-ls.c */
extern const Co2sModelAlgorithm _co2s_model_sgd;   /* co2s-model-sgd.c */

/* The rows of @x (n × NF) in @self's feature space: @x itself for the
 * base set, else expanded into self->expanded (owned by @self, valid until
 * the next call). */
const double *_co2s_model_expand_rows (Co2sModel *self, const double *x, guint n);

/* Add a member named @name to the object @builder is in: @v, or the @n
 * numbers at @v as an array. Doubles are written exactly (see
 * co2s_model_serialize). */
void _co2s_model_add_double (JsonBuilder *builder, const char *name, double v);
void _co2s_model_add_int (JsonBuilder *builder, const char *name, gint64 v);
void _co2s_model_add_double_array (JsonBuilder *builder, const char *name, const double *v, guint n);

G_END_DECLS
