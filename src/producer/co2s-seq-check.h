/* co2s-seq-check.h — which key ("seq") a line of the API's stream is
 * published under, or why it goes to the dead-letter topic instead.
 *
 * The producer publishes every JSON object line unchanged with key = its
 * seq, and resumes (?from=, topic end) after the greatest seq published. A
 * stream is either numbered (the server gives every row an integer "seq")
 * or unnumbered (no row has a "seq"; the producer numbers them, previous + 1
 * from 0, like the original system's API). The first JSON object decides,
 * once for the process: a top-level "seq" member (whatever its value) makes
 * the stream numbered, its absence unnumbered.
 *
 * In a numbered stream a line is refused (dead letter, reason below) when
 * its seq is missing, not an integer literal, negative, above CO2S_SEQ_MAX,
 * or more than max_jump above the last published seq; a seq not above the
 * last published one is a duplicate. In an unnumbered stream a line that
 * carries a "seq" is refused: its seq would contradict the key the producer
 * gives it. A refused line never moves the last published seq, so the rows
 * after it are judged as if it had not been there.
 *
 * Plain data, no locking: one owner. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The greatest seq published: 2^53 − 1, the greatest integer every JSON
 * reader (JavaScript, any reader that stores numbers as doubles) reads back
 * exactly (RFC 7493, I-JSON), and far from gint64 overflow when adding 1. */
#define CO2S_SEQ_MAX G_GINT64_CONSTANT (9007199254740991)

/* A numbered line more than this above the last published seq is refused
 * by default: more than a million rows skipped at once is far likelier a
 * corrupt seq than a real gap, and accepting it would drop every real row
 * below it as a duplicate. */
#define CO2S_SEQ_DEFAULT_MAX_JUMP G_GINT64_CONSTANT (1000000)

/* Values of the dead letters' "reason" header for seq problems (stable:
 * scripts and tests match them). Not-JSON lines keep the record reasons
 * ("not-json", "not-object"). */
#define CO2S_SEQ_REASON_MISSING     "seq-missing"      /* numbered stream, no "seq" */
#define CO2S_SEQ_REASON_NOT_INTEGER "seq-not-integer"  /* a string, 1.5, 1e300, null, … */
#define CO2S_SEQ_REASON_NEGATIVE    "seq-negative"
#define CO2S_SEQ_REASON_TOO_LARGE   "seq-too-large"    /* above CO2S_SEQ_MAX */
#define CO2S_SEQ_REASON_JUMP        "seq-jump"         /* more than max_jump above the last */
#define CO2S_SEQ_REASON_UNEXPECTED  "seq-unexpected"   /* a "seq" in an unnumbered stream */

typedef enum {
  CO2S_SEQ_MODE_UNDECIDED,
  CO2S_SEQ_MODE_NUMBERED,
  CO2S_SEQ_MODE_UNNUMBERED,
} Co2sSeqMode;

typedef enum {
  CO2S_SEQ_PUBLISH,    /* publish under *seq (the line's own, or last + 1) */
  CO2S_SEQ_DUPLICATE,  /* *seq is not above the last published seq: drop */
  CO2S_SEQ_REFUSE,     /* to the dead-letter topic: *reason and *detail say why */
} Co2sSeqVerdict;

typedef struct {
  Co2sSeqMode mode;    /* set by the first JSON object line */
  gint64 last_seq;     /* last published (or seeded) seq, -1 for none; the caller keeps it */
  gint64 max_jump;     /* > 0: the bound above; 0: no bound */
} Co2sSeqCheck;

/* Undecided mode, no last seq, CO2S_SEQ_DEFAULT_MAX_JUMP. */
void co2s_seq_check_init (Co2sSeqCheck *check);

/* Judges one line (@len bytes, no newline, need not be NUL-terminated) and,
 * for the first JSON object, decides the mode. Does not change last_seq:
 * the caller sets it once a line is published. Judging the same line again
 * gives the same verdict (a line offered again after a full queue).
 * On CO2S_SEQ_PUBLISH and CO2S_SEQ_DUPLICATE, @seq is set. On
 * CO2S_SEQ_REFUSE, @reason is a static stable word (see above, or the
 * record reasons for lines that are not JSON objects) and @detail a
 * newly allocated English sentence saying what is wrong (free it). */
Co2sSeqVerdict co2s_seq_check_line (Co2sSeqCheck *check,
                                    const char *line,
                                    gsize len,
                                    gint64 *seq,
                                    const char **reason,
                                    char **detail);

G_END_DECLS
