/* fuzz-producer-seq.c — the producer's line handling: which key ("seq") each
 * line of the API's stream is published under, or why it goes to the
 * dead-letter topic (co2s_seq_check_line, as co2s-publisher.c drives it).
 *
 * Input: one configuration byte (bits 0-1: --max-seq-jump 1,000,000 / none /
 * 1 / 3; bits 2-3: the seq the topic ends at: none / 0 / 41 / 2^53 − 2),
 * then the stream's body, split into lines as co2s-stream-reader.c does
 * (a final "\r" dropped, blank lines skipped).
 *
 * Must hold for every line, against json-glib's reading of it (nesting
 * bounded), which decides what the line is (the producer may refuse more
 * as not-json: json-glib reads extensions of JSON):
 *   - not JSON or not an object: refused as not-json or not-object;
 *   - in a numbered stream: published or dropped as a duplicate only under
 *     the line's own integer "seq"; a line without "seq" is refused as
 *     seq-missing (it used to be renumbered, and the real rows after it
 *     dropped as duplicates), a "seq" that is not an integer as
 *     seq-not-integer; a published seq is above the last one, at most
 *     2^53 − 1 (one row with 2^63 − 1 used to stop the stream) and within
 *     --max-seq-jump of the last one;
 *   - in an unnumbered stream: published as the last seq + 1 when the line
 *     has no "seq", refused as seq-unexpected when it has one;
 *   - the first JSON object decides the numbering, once;
 *   - judging a line again gives the same verdict (a line offered again
 *     after a full queue); a refusal has a known reason and a UTF-8 detail. */
#define G_LOG_DOMAIN "fuzz-producer-seq"

#include <json-glib/json-glib.h>
#include <string.h>

#include "co2s-json-reader.h"
#include "co2s-record-json.h"
#include "co2s-seq-check.h"
#include "fuzz-common.h"

typedef enum {
  LINE_NOT_JSON,      /* json-glib refuses it */
  LINE_NOT_OBJECT,
  LINE_NO_SEQ,
  LINE_SEQ_INTEGER,   /* seq holds json-glib's value */
  LINE_SEQ_OTHER,     /* a string, a fraction, null, … */
  LINE_TOO_DEEP,      /* not asked (json-glib would overflow its stack), or
                       * refused as not JSON: no rule about its seq applies */
} LineKind;

static LineKind
json_glib_reads (const char *line, gsize len, gint64 *seq)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root, *node;

  if (!co2s_json_check_depth (line, len, CO2S_JSON_MAX_DEPTH, NULL))
    return LINE_TOO_DEEP;
  if (!json_parser_load_from_data (parser, line, (gssize) len, NULL))
    return LINE_NOT_JSON;
  root = json_parser_get_root (parser);
  if (root == NULL)
    return LINE_NOT_JSON;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return LINE_NOT_OBJECT;
  node = json_object_get_member (json_node_get_object (root), "seq");
  if (node == NULL)
    return LINE_NO_SEQ;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *seq = json_node_get_int (node);
      return LINE_SEQ_INTEGER;
    }
  return LINE_SEQ_OTHER;
}

static gboolean
known_reason (const char *reason)
{
  static const char * const reasons[] = {
    CO2S_SEQ_REASON_MISSING, CO2S_SEQ_REASON_NOT_INTEGER, CO2S_SEQ_REASON_NEGATIVE,
    CO2S_SEQ_REASON_TOO_LARGE, CO2S_SEQ_REASON_JUMP, CO2S_SEQ_REASON_UNEXPECTED,
    "not-json", "not-object",
  };

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (g_strcmp0 (reason, reasons[i]) == 0)
      return TRUE;
  return FALSE;
}

static const char *
verdict_name (Co2sSeqVerdict verdict)
{
  return verdict == CO2S_SEQ_PUBLISH ? "publish" : verdict == CO2S_SEQ_DUPLICATE ? "duplicate" : "refuse";
}

/* One line through the check, and the caller's bookkeeping. */
static void
judge (Co2sSeqCheck *check, const char *line, gsize len)
{
  g_autofree char *detail = NULL;
  g_autofree char *detail_again = NULL;
  g_autofree char *head = g_strndup (line, MIN (len, 200));
  g_autofree char *shown = g_strescape (head, NULL);
  Co2sSeqMode mode_before = check->mode;
  const char *reason = NULL, *reason_again = NULL;
  gint64 seq = -1, seq_again = -1, glib_seq = -1;
  Co2sSeqVerdict verdict, again;
  gboolean refused_as_not_json;
  LineKind kind = json_glib_reads (line, len, &glib_seq);

  verdict = co2s_seq_check_line (check, line, len, &seq, &reason, &detail);

  /* The same line again (the queue was full): the same answer. */
  again = co2s_seq_check_line (check, line, len, &seq_again, &reason_again, &detail_again);
  fuzz_check (again == verdict && seq_again == seq && g_strcmp0 (reason, reason_again) == 0 &&
              g_strcmp0 (detail, detail_again) == 0,
              "judged twice, \"%s\" gets %s %s then %s %s", shown, verdict_name (verdict),
              reason ? reason : "", verdict_name (again), reason_again ? reason_again : "");

  /* The numbering is decided once, by the first JSON object. */
  if (mode_before != CO2S_SEQ_MODE_UNDECIDED)
    fuzz_check (check->mode == mode_before, "the stream's numbering changed at \"%s\"", shown);
  if (verdict != CO2S_SEQ_REFUSE)
    fuzz_check (check->mode != CO2S_SEQ_MODE_UNDECIDED, "\"%s\" accepted, numbering undecided", shown);

  refused_as_not_json = verdict == CO2S_SEQ_REFUSE &&
                        (g_strcmp0 (reason, "not-json") == 0 || g_strcmp0 (reason, "not-object") == 0);
  if (verdict == CO2S_SEQ_REFUSE)
    {
      fuzz_check (known_reason (reason), "\"%s\" refused with reason \"%s\"", shown, reason ? reason : "(null)");
      fuzz_check (detail != NULL && detail[0] != '\0', "\"%s\" refused without a detail", shown);
      fuzz_check_utf8 (detail, -1, "a refusal's detail");
    }
  else
    fuzz_check (reason == NULL && detail == NULL, "\"%s\" accepted with a reason", shown);

  switch (kind)
    {
    case LINE_NOT_JSON:
    case LINE_NOT_OBJECT:
      fuzz_check (verdict == CO2S_SEQ_REFUSE && refused_as_not_json,
                  "\"%s\" (json-glib: %s) gets %s %s", shown,
                  kind == LINE_NOT_JSON ? "not JSON" : "not an object",
                  verdict_name (verdict), reason ? reason : "");
      break;
    case LINE_TOO_DEEP:
      fuzz_check (verdict == CO2S_SEQ_REFUSE, "\"%s\" nested too deep, accepted", shown);
      break;
    default:
      break;
    }
  /* An object json-glib reads may still be refused as not (strict) JSON:
   * the rules below are about the lines the producer reads. */
  if (refused_as_not_json)
    kind = LINE_TOO_DEEP;

  if (check->mode == CO2S_SEQ_MODE_NUMBERED && kind != LINE_TOO_DEEP)
    {
      if (kind == LINE_NO_SEQ)
        fuzz_check (verdict == CO2S_SEQ_REFUSE && g_strcmp0 (reason, CO2S_SEQ_REASON_MISSING) == 0,
                    "\"%s\" without seq in a numbered stream gets %s %s", shown,
                    verdict_name (verdict), reason ? reason : "");
      if (kind == LINE_SEQ_OTHER)
        fuzz_check (verdict == CO2S_SEQ_REFUSE && g_strcmp0 (reason, CO2S_SEQ_REASON_NOT_INTEGER) == 0,
                    "\"%s\" with a seq that is not an integer gets %s %s", shown,
                    verdict_name (verdict), reason ? reason : "");
      if (verdict != CO2S_SEQ_REFUSE)
        fuzz_check (kind == LINE_SEQ_INTEGER && glib_seq == seq,
                    "\"%s\" %s under seq %" G_GINT64_FORMAT ", but its seq is not that", shown,
                    verdict_name (verdict), seq);
    }
  if (check->mode == CO2S_SEQ_MODE_UNNUMBERED && kind != LINE_TOO_DEEP)
    {
      if (kind == LINE_SEQ_INTEGER || kind == LINE_SEQ_OTHER)
        fuzz_check (verdict == CO2S_SEQ_REFUSE && g_strcmp0 (reason, CO2S_SEQ_REASON_UNEXPECTED) == 0,
                    "\"%s\" with a seq in an unnumbered stream gets %s %s", shown,
                    verdict_name (verdict), reason ? reason : "");
      if (verdict == CO2S_SEQ_PUBLISH)
        fuzz_check (kind == LINE_NO_SEQ && seq == check->last_seq + 1,
                    "\"%s\" published as %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT
                    " in an unnumbered stream", shown, seq, check->last_seq);
      fuzz_check (verdict != CO2S_SEQ_DUPLICATE, "a duplicate in an unnumbered stream");
    }

  if (verdict == CO2S_SEQ_PUBLISH)
    {
      fuzz_check (seq > check->last_seq && seq >= 0 && seq <= CO2S_SEQ_MAX,
                  "\"%s\" published as %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT, shown, seq,
                  check->last_seq);
      if (check->mode == CO2S_SEQ_MODE_NUMBERED && check->last_seq >= 0 && check->max_jump > 0)
        fuzz_check (seq - check->last_seq <= check->max_jump,
                    "\"%s\" published as %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " above %" G_GINT64_FORMAT,
                    shown, seq, seq - check->last_seq, check->last_seq);
      check->last_seq = seq;
    }
  else if (verdict == CO2S_SEQ_DUPLICATE)
    fuzz_check (seq >= 0 && seq <= check->last_seq, "\"%s\" a duplicate as %" G_GINT64_FORMAT
                " after %" G_GINT64_FORMAT, shown, seq, check->last_seq);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const gint64 max_jumps[] = { CO2S_SEQ_DEFAULT_MAX_JUMP, 0, 1, 3 };
  static const gint64 topic_ends[] = { -1, 0, 41, CO2S_SEQ_MAX - 1 };
  const char *p, *end = (const char *) data + size;
  Co2sSeqCheck check;
  guint8 config;

  if (size == 0)
    return 0;
  config = data[0];
  co2s_seq_check_init (&check);
  check.max_jump = max_jumps[config & 3];
  check.last_seq = topic_ends[(config >> 2) & 3];

  for (p = (const char *) data + 1; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;
      gsize len = stop - p;
      gboolean blank = TRUE;

      if (len > 0 && p[len - 1] == '\r')
        len--;
      for (gsize i = 0; i < len && blank; i++)
        blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\r';
      if (len > 0 && !blank)
        judge (&check, p, len);
      p = stop + 1;
    }
  return 0;
}
