/* co2s-prom.h — metrics in the Prometheus text exposition format (0.0.4),
 * the one writer of every co2stream program's /metrics.
 *
 * Two layers:
 *   - the writer (co2s_prom_append_*): a family's # HELP and # TYPE lines
 *     and its samples, with the format's escaping (HELP: \ and newline;
 *     label values: \, " and newline) and its numbers (NaN, +Inf, -Inf,
 *     integers without exponent, other values round-tripping). For a
 *     program that renders its own state on its own thread (co2stream-api).
 *   - the registry (Co2sProm): counters, gauges and histograms registered
 *     once, updated from any thread (the trainer's hot loop), rendered as a
 *     consistent snapshot from another (the HTTP thread of
 *     co2s-prom-server.h). Each metric has at most one label (e.g.
 *     "partition"); its series are created on first use.
 *
 * Naming is the caller's: base units and the _total / _seconds suffixes
 * (https://prometheus.io/docs/practices/naming/); names are checked
 * against the format's grammar (g_return_if_fail). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  CO2S_PROM_COUNTER,
  CO2S_PROM_GAUGE,
  CO2S_PROM_HISTOGRAM,
} Co2sPromType;

/* The Content-Type of the text format. */
#define CO2S_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- the writer -------------------------------------------------------- */

/* TRUE when @name is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or,
 * with @label, a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not "__…"). */
gboolean co2s_prom_name_is_valid (const char *name, gboolean label);

/* Appends "# HELP @name @help\n# TYPE @name TYPE\n"; @help is escaped. */
void co2s_prom_append_header (GString *out,
                              const char *name,
                              Co2sPromType type,
                              const char *help);

/* Appends @value as the format writes numbers ("NaN", "+Inf", "-Inf",
 * "42", "0.1"), locale-independent. */
void co2s_prom_append_value (GString *out, double value);

/* Appends @text escaped for a label value (\\, \" and \n). */
void co2s_prom_append_label_value (GString *out, const char *text);

/* Appends one sample line: @name{labels} @value. @labels: NULL, or a
 * NULL-terminated list of name, value pairs (values escaped here). */
void co2s_prom_append_sample (GString *out,
                              const char *name,
                              const char * const *labels,
                              double value);

/* ---- the registry ------------------------------------------------------- */

typedef struct _Co2sProm Co2sProm;
typedef struct _Co2sPromMetric Co2sPromMetric;

/* A new empty registry (reference counted; any thread). */
Co2sProm *co2s_prom_new (void);
Co2sProm *co2s_prom_ref (Co2sProm *self);
void      co2s_prom_unref (Co2sProm *self);

/* Registers a metric; it belongs to @self (do not free it) and is rendered
 * in registration order. @label_name: NULL for an unlabelled metric, else
 * its one label's name (the series are then created by the _labeled
 * setters). A histogram takes @n_bounds increasing finite upper bounds
 * (copied; +Inf is implicit) and no label. Register before the registry is
 * rendered from another thread. */
Co2sPromMetric *co2s_prom_counter (Co2sProm *self, const char *name, const char *help,
                                   const char *label_name);
Co2sPromMetric *co2s_prom_gauge (Co2sProm *self, const char *name, const char *help,
                                 const char *label_name);
Co2sPromMetric *co2s_prom_histogram (Co2sProm *self, const char *name, const char *help,
                                     const double *bounds, guint n_bounds);

/* A gauge whose value is the seconds elapsed, at render time, since the
 * Unix time (in seconds) last given to co2s_prom_set; no sample until then.
 * (E.g. model_age_seconds from the last checkpoint's time.) */
Co2sPromMetric *co2s_prom_age_gauge (Co2sProm *self, const char *name, const char *help);

/* Updates of an unlabelled metric (counter: set to an absolute count or add
 * a delta ≥ 0; gauge: set or add; histogram: observe). Any thread. */
void co2s_prom_set (Co2sPromMetric *metric, double value);
void co2s_prom_add (Co2sPromMetric *metric, double delta);
void co2s_prom_observe (Co2sPromMetric *metric, double value);

/* Replaces a histogram's state: @counts holds n_bounds + 1 non-cumulative
 * counts (values ≤ bounds[0], in (bounds[0], bounds[1]], …, above the last
 * bound), @sum the values' sum; the count is the counts' sum. For a
 * histogram kept elsewhere and exported as a whole (the trainer's row
 * latency). @n_counts must be n_bounds + 1. Any thread. */
void co2s_prom_histogram_set (Co2sPromMetric *metric, const guint64 *counts, guint n_counts, double sum);

/* Sets the series of a labelled counter or gauge whose label is
 * @label_value (created if new). Any thread. */
void co2s_prom_set_labeled (Co2sPromMetric *metric, const char *label_value, double value);

/* Removes every series of a labelled metric (e.g. partitions revoked). */
void co2s_prom_clear_series (Co2sPromMetric *metric);

/* Several updates seen together by a render: co2s_prom_lock (the registry's
 * lock, recursive), the updates, co2s_prom_unlock. Optional. */
void co2s_prom_lock (Co2sProm *self);
void co2s_prom_unlock (Co2sProm *self);

/* Appends every metric of @self in the text format to @out, as one
 * snapshot (under the registry's lock). Any thread. */
void co2s_prom_render (Co2sProm *self, GString *out);

/* ---- --metrics-listen ---------------------------------------------------- */

/* Parses a --metrics-listen value: "PORT" (host 127.0.0.1: loopback only),
 * "HOST:PORT" or "[IPV6]:PORT"; HOST is an IP address or "localhost"; PORT
 * 0 … 65535 (0: any free port). Sets *@host (newly allocated) and *@port;
 * FALSE with @error (G_OPTION_ERROR_BAD_VALUE, saying what is wrong) on a
 * bad value. */
gboolean co2s_prom_parse_listen (const char *text,
                                 char **host,
                                 guint16 *port,
                                 GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sProm, co2s_prom_unref)

G_END_DECLS
