/* bench-util.h — what the model benchmarks (bench-models, bench-merge)
 * share: the data set loaded as feature rows and targets, runs measured
 * in turn with the median of each figure, and their Markdown tables'
 * heads. Main thread only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Loads the data set at @csv_path (NULL: data/co2_processed.csv, from the
 * current folder) into *@x (*@n rows of CO2S_N_FEATURES features, row after
 * row) and *@y (*@n targets), both to free with g_free. On failure prints
 * "@prog: <what and where>" to stderr, leaves the outputs untouched and
 * returns FALSE. */
gboolean bench_load_data (const char *prog,
                          const char *csv_path,
                          double    **x,
                          double    **y,
                          guint      *n);

/* One run of a measure: stores its @n_figures figures in @figures[0…n-1]. */
typedef void (*BenchRunFunc) (gpointer data,
                              double  *figures);

/* Calls @run @runs (≥ 1) times, the figures of one run measured together
 * so that they see the same machine state, and stores in @medians[0…n-1]
 * the median of each figure over the runs (the upper one of the middle two
 * when @runs is even). */
void bench_run_medians (int          runs,
                        guint        n_figures,
                        BenchRunFunc run,
                        gpointer     data,
                        double      *medians);

/* Prints a Markdown table's head to stdout (printf: UTF-8 whatever the
 * locale): the @n column titles after @aligns, a string of @n letters, 'l'
 * (left) or 'r' (right), one a column; then the NULL-terminated titles. */
void bench_print_table_head (const char *aligns,
                             ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
