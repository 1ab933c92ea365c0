/* test-producer-seq.c — bad "seq" values never cost good rows: a real
 * co2stream-producer reads a scripted NDJSON server (test-ndjson-server.h)
 * into the embedded broker, and the tests check what the topic and the
 * dead-letter topic hold: each good seq once, in order, under its own key;
 * each bad line in the DLQ with its reason and where it was. Each kind of
 * bad seq has its own case; co2s_seq_check_line's verdicts are also checked
 * in-process. */
#define G_LOG_DOMAIN "test-producer"

#include <glib.h>
#include <string.h>

#include "co2s-contracts.h"
#include "co2s-publisher.h"
#include "co2s-seq-check.h"
#include "co2s-test-util.h"
#include "producer-test-util.h"
#include "test-ndjson-server.h"

#define KEY_DLQ       (-1)   /* the line must be in the DLQ */
#define KEY_DUPLICATE (-2)   /* the line must be dropped */

/* One line the server sends, and where it must end up. */
typedef struct {
  char *line;
  gint64 key;        /* ≥ 0: in the topic under this key; KEY_DLQ; KEY_DUPLICATE */
  const char *reason;
  char *detail;      /* a part of the dead letter's "detail" header */
} Line;

static void
line_free (gpointer data)
{
  Line *l = data;

  g_free (l->line);
  g_free (l->detail);
  g_free (l);
}

static GPtrArray *
lines_new (void)
{
  return g_ptr_array_new_with_free_func (line_free);
}

/* A good row with seq @seq (one of producer_make_row's shapes). */
static void
add_good (GPtrArray *lines, gint64 seq)
{
  Line *l = g_new0 (Line, 1);

  l->line = producer_make_row ((guint64) seq, TRUE);
  l->key = seq;
  g_ptr_array_add (lines, l);
}

static void
add_good_range (GPtrArray *lines, gint64 first, gint64 last)
{
  for (gint64 seq = first; seq <= last; seq++)
    add_good (lines, seq);
}

/* A vehicle row whose seq member is @seq_member ("\"seq\":…", or NULL for
 * none), expected under @key. */
static void
add_row (GPtrArray *lines, const char *seq_member, gint64 key, const char *reason, const char *detail)
{
  Line *l = g_new0 (Line, 1);

  l->line = g_strdup_printf ("{\"Engine_Size\":3.0,\"Cylinders\":6,\"Fuel_Consumption_Comb\":10.1,"
                             "\"CO2_Emissions\":236%s%s}",
                             seq_member != NULL ? "," : "", seq_member != NULL ? seq_member : "");
  l->key = key;
  l->reason = reason;
  l->detail = g_strdup (detail);
  g_ptr_array_add (lines, l);
}

/* What the run must leave: the topic holds exactly the lines with a key,
 * in order; the DLQ exactly the KEY_DLQ lines, in order, each with its
 * reason, its detail and the URL as source. */
static void
assert_topics (const char *brokers, GPtrArray *lines, const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) dead = NULL;
  guint n_good = 0, n_dead = 0, i_good = 0, i_dead = 0;
  gint64 low = -1, high = -1;

  for (guint i = 0; i < lines->len; i++)
    {
      const Line *l = g_ptr_array_index (lines, i);

      n_good += l->key >= 0;
      n_dead += l->key == KEY_DLQ;
    }

  g_assert_true (co2s_test_kafka_watermarks (brokers, CO2S_TOPIC_DATA, 0, &low, &high, &error));
  g_assert_no_error (error);
  g_assert_cmpint (high - low, ==, n_good);
  messages = co2s_test_kafka_consume (brokers, CO2S_TOPIC_DATA, n_good, CONSUME_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, n_good);

  g_assert_true (co2s_test_kafka_watermarks (brokers, CO2S_TOPIC_DLQ, 0, &low, &high, &error));
  g_assert_no_error (error);
  g_assert_cmpint (high - low, ==, n_dead);
  dead = co2s_test_kafka_consume (brokers, CO2S_TOPIC_DLQ, n_dead, CONSUME_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dead->len, ==, n_dead);

  for (guint i = 0; i < lines->len; i++)
    {
      const Line *l = g_ptr_array_index (lines, i);

      if (l->key >= 0)
        {
          Co2sTestMessage *m = g_ptr_array_index (messages, i_good++);
          g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, l->key);

          g_assert_cmpstr (m->key, ==, key);
          g_assert_cmpstr (m->payload, ==, l->line);
        }
      else if (l->key == KEY_DLQ)
        {
          Co2sTestMessage *m = g_ptr_array_index (dead, i_dead++);
          const char *detail = co2s_test_message_header (m, "detail");

          g_assert_cmpstr (m->payload, ==, l->line);
          g_assert_cmpstr (co2s_test_message_header (m, "reason"), ==, l->reason);
          g_assert_cmpstr (co2s_test_message_header (m, "source"), ==, url);
          g_assert_nonnull (detail);
          if (strstr (detail, l->detail) == NULL)
            g_error ("dead letter %u: expected “%s” in its detail “%s”", i_dead - 1, l->detail, detail);
        }
    }
}

/* Serves @lines (in chunks of @chunk_sizes when not NULL) to a producer run
 * with --exit-at-end and @extra arguments, checks its summary and the
 * topics. Returns the producer's log. */
static char *
run_lines (GPtrArray *lines, const guint *chunk_sizes, guint n_chunk_sizes, const char * const *extra)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(TestServer) server = NULL;
  g_autoptr(Co2sTestProc) producer = NULL;
  g_autofree char *url = NULL;
  guint n_good = 0, n_dead = 0, n_dup = 0;
  ProducerSummary s;
  TestServerConfig config = {
    .rows = rows, .chunk_sizes = chunk_sizes, .n_chunk_sizes = n_chunk_sizes, .drop_request = -1,
  };

  for (guint i = 0; i < lines->len; i++)
    {
      const Line *l = g_ptr_array_index (lines, i);

      g_ptr_array_add (rows, l->line);
      n_good += l->key >= 0;
      n_dead += l->key == KEY_DLQ;
      n_dup += l->key == KEY_DUPLICATE;
    }
  server = test_server_start (&config);
  url = test_server_url (server, "");

  g_ptr_array_add (argv, "--exit-at-end");
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);
  producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ,
                             (const char * const *) argv->pdata);

  producer_finish (producer, 0, &s);
  g_assert_cmpuint (s.read, ==, lines->len);
  g_assert_cmpuint (s.produced, ==, n_good);
  g_assert_cmpuint (s.delivered, ==, n_good);
  g_assert_cmpuint (s.dlq, ==, n_dead);
  g_assert_cmpuint (s.dlq_failed, ==, 0);
  g_assert_cmpuint (s.duplicates, ==, n_dup);
  g_assert_cmpuint (test_server_n_requests (server), ==, 1);
  assert_topics (brokers, lines, url);
  return co2s_test_proc_stderr_text (producer);
}

/* Rows 0 … 4, the bad row, rows 5 … 9: the bad row goes to the DLQ and
 * rows 5 … 9 are published under their own seq. */
static void
run_one_bad (const char *seq_member, const char *reason, const char *detail)
{
  g_autoptr(GPtrArray) lines = lines_new ();
  g_autofree char *log = NULL;
  g_autofree char *logged = g_strdup_printf ("bad line after seq 4 (%s: ", reason);

  add_good_range (lines, 0, 4);
  add_row (lines, seq_member, KEY_DLQ, reason, detail);
  add_good_range (lines, 5, 9);
  log = run_lines (lines, NULL, 0, NULL);
  if (strstr (log, logged) == NULL)
    g_error ("expected “%s” in the producer's log:\n%s", logged, log);
}

/* ---- each kind of bad seq in a numbered stream ------------------------------ */

static void
test_seq_missing (void)
{
  run_one_bad (NULL, CO2S_SEQ_REASON_MISSING,
               "no \"seq\" in a stream whose first row had one (after seq 4)");
}

static void
test_seq_string (void)
{
  run_one_bad ("\"seq\":\"abc\"", CO2S_SEQ_REASON_NOT_INTEGER,
               "\"seq\" is a string (\"abc\"), not an integer (after seq 4)");
}

static void
test_seq_negative (void)
{
  run_one_bad ("\"seq\":-5", CO2S_SEQ_REASON_NEGATIVE, "\"seq\" is -5, below 0 (after seq 4)");
}

static void
test_seq_exponent (void)
{
  run_one_bad ("\"seq\":1e300", CO2S_SEQ_REASON_NOT_INTEGER,
               "\"seq\" is 1e300, not an integer literal (after seq 4)");
}

static void
test_seq_fraction (void)
{
  run_one_bad ("\"seq\":5.0", CO2S_SEQ_REASON_NOT_INTEGER,
               "\"seq\" is 5.0, not an integer literal (after seq 4)");
}

static void
test_seq_null (void)
{
  run_one_bad ("\"seq\":null", CO2S_SEQ_REASON_NOT_INTEGER,
               "\"seq\" is null (null), not an integer (after seq 4)");
}

/* 2^63 − 1 made the old producer drop every row after it. */
static void
test_seq_max_int (void)
{
  run_one_bad ("\"seq\":9223372036854775807", CO2S_SEQ_REASON_TOO_LARGE,
               "\"seq\" is 9223372036854775807, above 9007199254740991 (2^53 − 1)");
}

/* Past gint64 (json-glib wraps such literals to small numbers). */
static void
test_seq_beyond_int64 (void)
{
  run_one_bad ("\"seq\":18446744073709551621", CO2S_SEQ_REASON_TOO_LARGE,
               "\"seq\" is 18446744073709551621, above 9007199254740991");
}

/* The bound itself, without the jump bound: 2^53 − 1 is published, 2^53
 * is not. */
static void
test_seq_bound (void)
{
  g_autoptr(GPtrArray) lines = lines_new ();
  const char *extra[] = { "--max-seq-jump", "0", NULL };

  add_good_range (lines, 0, 4);
  add_row (lines, "\"seq\":9007199254740992", KEY_DLQ, CO2S_SEQ_REASON_TOO_LARGE,
           "\"seq\" is 9007199254740992, above 9007199254740991 (2^53 − 1)");
  add_row (lines, "\"seq\":9007199254740991", G_GINT64_CONSTANT (9007199254740991), NULL, NULL);
  g_free (run_lines (lines, NULL, 0, extra));
}

/* More than --max-seq-jump (default 1,000,000) ahead of the last row: to
 * the DLQ; a jump of exactly the bound is a gap, published and logged. */
static void
test_seq_jump (void)
{
  g_autoptr(GPtrArray) lines = lines_new ();
  g_autofree char *log = NULL;

  add_good_range (lines, 0, 4);
  add_row (lines, "\"seq\":1000005", KEY_DLQ, CO2S_SEQ_REASON_JUMP,
           "\"seq\" 1000005 is 1000001 above the last published seq, more than --max-seq-jump "
           "1000000 (after seq 4)");
  add_good_range (lines, 5, 9);
  add_row (lines, "\"seq\":1000009", 1000009, NULL, NULL);
  add_good (lines, 1000010);
  log = run_lines (lines, NULL, 0, NULL);
  g_assert_nonnull (strstr (log, "seq jumped from 9 to 1000009: the server skipped rows"));
}

/* --max-seq-jump moves the bound. */
static void
test_seq_jump_option (void)
{
  g_autoptr(GPtrArray) lines = lines_new ();
  const char *extra[] = { "--max-seq-jump", "10", NULL };

  add_good_range (lines, 0, 4);
  add_row (lines, "\"seq\":15", KEY_DLQ, CO2S_SEQ_REASON_JUMP,
           "\"seq\" 15 is 11 above the last published seq, more than --max-seq-jump 10 (after seq 4)");
  add_row (lines, "\"seq\":14", 14, NULL, NULL);
  g_free (run_lines (lines, NULL, 0, extra));
}

/* The first row decides: an invalid seq there still makes the stream
 * numbered, and the rows after it are published under their seq. */
static void
test_seq_first_row_invalid (void)
{
  g_autoptr(GPtrArray) lines = lines_new ();

  add_row (lines, "\"seq\":\"abc\"", KEY_DLQ, CO2S_SEQ_REASON_NOT_INTEGER,
           "not an integer (before the first published seq)");
  add_good_range (lines, 0, 9);
  add_row (lines, NULL, KEY_DLQ, CO2S_SEQ_REASON_MISSING, "(after seq 9)");
  g_free (run_lines (lines, NULL, 0, NULL));
}

/* ---- unnumbered streams ------------------------------------------------------ */

/* No seq anywhere (the original system's API): numbered by the producer,
 * as always. A row that does carry a seq goes to the DLQ: taking it would
 * put a key that contradicts its seq, or renumber what follows. */
static void
test_seq_unexpected_in_unnumbered (void)
{
  g_autoptr(GPtrArray) lines = lines_new ();

  for (gint64 i = 0; i < 5; i++)
    add_row (lines, NULL, i, NULL, NULL);
  add_row (lines, "\"seq\":50", KEY_DLQ, CO2S_SEQ_REASON_UNEXPECTED,
           "\"seq\" in a stream whose first row had none (the producer numbers its rows; restart it "
           "if the server now numbers them) (after seq 4)");
  add_row (lines, "\"seq\":\"abc\"", KEY_DLQ, CO2S_SEQ_REASON_UNEXPECTED, "(after seq 4)");
  for (gint64 i = 5; i < 10; i++)
    add_row (lines, NULL, i, NULL, NULL);
  g_free (run_lines (lines, NULL, 0, NULL));
}

/* ---- everything at once ------------------------------------------------------- */

static const guint odd_chunks[] = { 1, 2, 7, 100, 3, 4096, 31, 1, 513 };

/* 300 good rows with every kind of bad line and some duplicates between
 * them, in chunks that cut lines anywhere: each good seq once, in order;
 * each bad line in the DLQ, in order, with its reason. */
static void
test_seq_mixed_keeps_good_rows (void)
{
  static const struct {
    const char *member;
    const char *reason;
  } bad[] = {
    { NULL, CO2S_SEQ_REASON_MISSING },
    { "\"seq\":\"abc\"", CO2S_SEQ_REASON_NOT_INTEGER },
    { "\"seq\":-5", CO2S_SEQ_REASON_NEGATIVE },
    { "\"seq\":1e300", CO2S_SEQ_REASON_NOT_INTEGER },
    { "\"seq\":9223372036854775807", CO2S_SEQ_REASON_TOO_LARGE },
    { "\"seq\":true", CO2S_SEQ_REASON_NOT_INTEGER },
    { "\"seq\":[1]", CO2S_SEQ_REASON_NOT_INTEGER },
    { "\"s\\u0065q\":\"x\"", CO2S_SEQ_REASON_NOT_INTEGER },
    { "\"seq\":99999999", CO2S_SEQ_REASON_JUMP },
  };
  g_autoptr(GPtrArray) lines = lines_new ();
  guint b = 0;

  for (gint64 seq = 0; seq < 300; seq++)
    {
      add_good (lines, seq);
      if (seq % 7 == 3)
        {
          gint64 where = lines->len;

          add_row (lines, bad[b].member, KEY_DLQ, bad[b].reason, NULL);
          ((Line *) g_ptr_array_index (lines, where))->detail =
            g_strdup_printf ("(after seq %" G_GINT64_FORMAT ")", seq);
          b = (b + 1) % G_N_ELEMENTS (bad);
        }
      if (seq % 50 == 49)
        {
          /* The server repeats two rows: dropped. */
          g_ptr_array_add (lines, g_new0 (Line, 1));
          ((Line *) g_ptr_array_index (lines, lines->len - 1))->line = producer_make_row (seq - 1, TRUE);
          ((Line *) g_ptr_array_index (lines, lines->len - 1))->key = KEY_DUPLICATE;
          g_ptr_array_add (lines, g_new0 (Line, 1));
          ((Line *) g_ptr_array_index (lines, lines->len - 1))->line = producer_make_row (seq, TRUE);
          ((Line *) g_ptr_array_index (lines, lines->len - 1))->key = KEY_DUPLICATE;
        }
    }
  g_free (run_lines (lines, odd_chunks, G_N_ELEMENTS (odd_chunks), NULL));
}

/* Duplicates are dropped, counted, and each run of them is logged. */
static void
test_seq_duplicates_logged (void)
{
  g_autoptr(GPtrArray) lines = lines_new ();
  g_autofree char *log = NULL;

  add_good_range (lines, 0, 9);
  for (guint i = 3; i <= 5; i++)
    {
      Line *l = g_new0 (Line, 1);

      l->line = producer_make_row (i, TRUE);
      l->key = KEY_DUPLICATE;
      g_ptr_array_add (lines, l);
    }
  add_good_range (lines, 10, 12);
  {
    Line *l = g_new0 (Line, 1);

    l->line = producer_make_row (0, TRUE);
    l->key = KEY_DUPLICATE;
    g_ptr_array_add (lines, l);
  }
  log = run_lines (lines, NULL, 0, NULL);
  if (strstr (log, "dropped 3 lines as duplicates (seq 3 … 5): not above the last published seq 9") == NULL ||
      strstr (log, "dropped seq 0 as a duplicate: not above the last published seq 12") == NULL)
    g_error ("the duplicates are not logged as expected:\n%s", log);
}

/* ---- in-process ------------------------------------------------------------------ */

static gboolean
is_publisher_domain (const char *log_domain)
{
  return g_strcmp0 (log_domain, "co2s-publisher") == 0;
}

/* The publisher's warnings (bad lines, no broker) are its log here, not
 * failures: neither fatal nor printed. */
static gboolean
publisher_warnings_not_fatal (const char *log_domain, GLogLevelFlags log_level,
                              const char *message, gpointer user_data)
{
  return !is_publisher_domain (log_domain);
}

static void
count_publisher_log (const char *log_domain, GLogLevelFlags log_level,
                     const char *message, gpointer user_data)
{
  if ((log_level & G_LOG_LEVEL_WARNING) != 0 && strstr (message, "bad line") != NULL)
    (*(guint *) user_data)++;
}

/* Refused lines never move the resume point (?from= of a reconnection). No
 * broker is needed to queue messages. */
static void
test_seq_resume_point (void)
{
  guint bad_lines_logged = 0;
  guint handler;
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sPublisher) publisher = NULL;
  const char *props[] = { "message.timeout.ms=1000", NULL };
  static const struct {
    const char *line;
    Co2sPublishResult result;
    gint64 resume;
  } steps[] = {
    { "{\"seq\":\"abc\"}", CO2S_PUBLISH_DEAD_LETTER, -1 },
    { "{\"seq\":0}", CO2S_PUBLISH_PRODUCED, 1 },
    { "{\"seq\":1}", CO2S_PUBLISH_PRODUCED, 2 },
    { "{\"x\":1}", CO2S_PUBLISH_DEAD_LETTER, 2 },
    { "{\"seq\":-5}", CO2S_PUBLISH_DEAD_LETTER, 2 },
    { "{\"seq\":1e300}", CO2S_PUBLISH_DEAD_LETTER, 2 },
    { "{\"seq\":9223372036854775807}", CO2S_PUBLISH_DEAD_LETTER, 2 },
    { "{\"seq\":5000000}", CO2S_PUBLISH_DEAD_LETTER, 2 },
    { "not json", CO2S_PUBLISH_DEAD_LETTER, 2 },
    { "{\"seq\":1}", CO2S_PUBLISH_DUPLICATE, 2 },
    { "{\"seq\":2}", CO2S_PUBLISH_PRODUCED, 3 },
  };
  guint16 port = co2s_test_free_port ();
  g_autofree char *brokers = g_strdup_printf ("127.0.0.1:%u", port);

  handler = g_log_set_handler ("co2s-publisher", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL,
                               count_publisher_log, &bad_lines_logged);
  g_test_log_set_fatal_handler (publisher_warnings_not_fatal, NULL);
  publisher = co2s_publisher_new (brokers, props, "t", "t.dlq", "test", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_test_message ("line %u: %s", i, steps[i].line);
      g_assert_cmpint (co2s_publisher_publish_line (publisher, steps[i].line, strlen (steps[i].line)),
                       ==, steps[i].result);
      g_assert_cmpint (co2s_publisher_get_resume_seq (publisher), ==, steps[i].resume);
    }
  g_assert_true (co2s_publisher_purge (publisher, 5000));
  g_clear_object (&publisher);
  g_test_log_set_fatal_handler (NULL, NULL);
  g_log_remove_handler ("co2s-publisher", handler);
  /* Eight bad lines, at most five warnings a second. */
  g_assert_cmpuint (bad_lines_logged, >=, 5);
  g_assert_cmpuint (bad_lines_logged, <=, 8);
}

/* The rules alone, on more spellings than the process tests. */
static void
test_seq_check_verdicts (void)
{
  static const struct {
    Co2sSeqMode mode;
    gint64 last;
    const char *line;
    Co2sSeqVerdict verdict;
    gint64 seq;
    const char *reason;
  } cases[] = {
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":5}", CO2S_SEQ_PUBLISH, 5, NULL },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{ \"a\" : {\"seq\":\"x\"} , \"seq\" : 6 }", CO2S_SEQ_PUBLISH, 6, NULL },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"s\\u0065q\":7}", CO2S_SEQ_PUBLISH, 7, NULL },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":-0}", CO2S_SEQ_DUPLICATE, 0, NULL },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":4}", CO2S_SEQ_DUPLICATE, 4, NULL },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"a\":1}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_MISSING },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_MISSING },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"a\":{\"seq\":5}}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_MISSING },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"sequence\":5}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_MISSING },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":\"5\"}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_NOT_INTEGER },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":5.5}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_NOT_INTEGER },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":5e0}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_NOT_INTEGER },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":false}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_NOT_INTEGER },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":{}}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_NOT_INTEGER },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":-1}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_NEGATIVE },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":-9223372036854775809}", CO2S_SEQ_REFUSE, -1,
      CO2S_SEQ_REASON_NEGATIVE },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":18446744073709551617}", CO2S_SEQ_REFUSE, -1,
      CO2S_SEQ_REASON_TOO_LARGE },
    { CO2S_SEQ_MODE_NUMBERED, -1, "{\"seq\":9007199254740991}", CO2S_SEQ_PUBLISH,
      G_GINT64_CONSTANT (9007199254740991), NULL },
    { CO2S_SEQ_MODE_NUMBERED, -1, "{\"seq\":9007199254740992}", CO2S_SEQ_REFUSE, -1,
      CO2S_SEQ_REASON_TOO_LARGE },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":1000004}", CO2S_SEQ_PUBLISH, 1000004, NULL },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":1000005}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_JUMP },
    { CO2S_SEQ_MODE_NUMBERED, 4, "[1]", CO2S_SEQ_REFUSE, -1, "not-object" },
    { CO2S_SEQ_MODE_NUMBERED, 4, "{\"seq\":", CO2S_SEQ_REFUSE, -1, "not-json" },
    { CO2S_SEQ_MODE_UNNUMBERED, 4, "{\"a\":1}", CO2S_SEQ_PUBLISH, 5, NULL },
    { CO2S_SEQ_MODE_UNNUMBERED, 4, "{\"a\":{\"seq\":1},\"b\":\"seq\"}", CO2S_SEQ_PUBLISH, 5, NULL },
    { CO2S_SEQ_MODE_UNNUMBERED, 4, "{\"seq\":5}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_UNEXPECTED },
    { CO2S_SEQ_MODE_UNNUMBERED, 4, "{\"seq\":null}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_UNEXPECTED },
    { CO2S_SEQ_MODE_UNNUMBERED, 4, "{\"se\\u0071\":1}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_UNEXPECTED },
    { CO2S_SEQ_MODE_UNDECIDED, -1, "{\"a\":1}", CO2S_SEQ_PUBLISH, 0, NULL },
    { CO2S_SEQ_MODE_UNDECIDED, 9, "{\"a\":1}", CO2S_SEQ_PUBLISH, 10, NULL },
    { CO2S_SEQ_MODE_UNDECIDED, 9, "{\"seq\":3}", CO2S_SEQ_DUPLICATE, 3, NULL },
    { CO2S_SEQ_MODE_UNDECIDED, -1, "{\"seq\":\"x\"}", CO2S_SEQ_REFUSE, -1, CO2S_SEQ_REASON_NOT_INTEGER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Co2sSeqCheck check;
      g_autofree char *detail = NULL;
      const char *reason = NULL;
      gint64 seq = -1;
      Co2sSeqVerdict verdict;

      g_test_message ("case %u: %s", i, cases[i].line);
      co2s_seq_check_init (&check);
      check.mode = cases[i].mode;
      check.last_seq = cases[i].last;
      verdict = co2s_seq_check_line (&check, cases[i].line, strlen (cases[i].line), &seq, &reason, &detail);
      g_assert_cmpint (verdict, ==, cases[i].verdict);
      g_assert_cmpstr (reason, ==, cases[i].reason);
      g_assert_true ((detail != NULL) == (verdict == CO2S_SEQ_REFUSE));
      if (verdict != CO2S_SEQ_REFUSE)
        g_assert_cmpint (seq, ==, cases[i].seq);
      if (cases[i].mode == CO2S_SEQ_MODE_UNDECIDED && reason == NULL)
        g_assert_cmpint (check.mode, ==, strstr (cases[i].line, "seq") != NULL ? CO2S_SEQ_MODE_NUMBERED
                                                                                 : CO2S_SEQ_MODE_UNNUMBERED);
    }
}

/* ---- a topic that ends with a seq the producer would refuse --------------------- */

/* Written by an older producer: resuming after 2^63 − 1 would drop every
 * row as a duplicate, so the producer stops and says why. */
static void
test_topic_end_beyond_max_seq (void)
{
  g_autofree char *brokers = NULL;
  g_autoptr(Co2sTestProc) broker = co2s_test_embedded_broker_start (NULL, &brokers);
  g_autoptr(GPtrArray) rows = producer_make_rows (10, TRUE);
  TestServerConfig config = { .rows = rows, .drop_request = -1 };
  g_autoptr(TestServer) server = test_server_start (&config);
  g_autofree char *url = test_server_url (server, "");
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sTestProc) producer = NULL;
  g_autofree char *log = NULL;
  const char *payloads[] = { "{\"seq\":9223372036854775807}" };
  const char *keys[] = { "9223372036854775807" };
  const char *extra[] = { "--exit-at-end", NULL };

  g_assert_true (co2s_test_kafka_produce (brokers, CO2S_TOPIC_DATA, payloads, keys, 1, &error));
  g_assert_no_error (error);
  producer = producer_spawn (url, brokers, CO2S_TOPIC_DATA, CO2S_TOPIC_DLQ, extra);
  g_assert_cmpint (co2s_test_proc_wait_exit (producer, EXIT_TIMEOUT_MS), ==, 1);
  g_assert_true (co2s_test_proc_wait_closed (producer, EXIT_TIMEOUT_MS));
  log = co2s_test_proc_stderr_text (producer);
  if (strstr (log, "its last seq, 9223372036854775807, is above 9007199254740991, the greatest seq "
                   "the producer publishes; --from-start republishes") == NULL)
    g_error ("expected the refusal in the producer's log:\n%s", log);
  g_assert_cmpuint (test_server_n_requests (server), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/producer/seq-check/verdicts", test_seq_check_verdicts);
  g_test_add_func ("/producer/seq-resume-point", test_seq_resume_point);
  g_test_add_func ("/producer/seq-invalid-to-dlq/missing", test_seq_missing);
  g_test_add_func ("/producer/seq-invalid-to-dlq/string", test_seq_string);
  g_test_add_func ("/producer/seq-invalid-to-dlq/negative", test_seq_negative);
  g_test_add_func ("/producer/seq-invalid-to-dlq/exponent", test_seq_exponent);
  g_test_add_func ("/producer/seq-invalid-to-dlq/fraction", test_seq_fraction);
  g_test_add_func ("/producer/seq-invalid-to-dlq/null", test_seq_null);
  g_test_add_func ("/producer/seq-invalid-to-dlq/beyond-int64", test_seq_beyond_int64);
  g_test_add_func ("/producer/seq-max-int", test_seq_max_int);
  g_test_add_func ("/producer/seq-bound", test_seq_bound);
  g_test_add_func ("/producer/seq-jump", test_seq_jump);
  g_test_add_func ("/producer/seq-jump/option", test_seq_jump_option);
  g_test_add_func ("/producer/seq-first-row-invalid", test_seq_first_row_invalid);
  g_test_add_func ("/producer/seq-unexpected-in-unnumbered", test_seq_unexpected_in_unnumbered);
  g_test_add_func ("/producer/seq-mixed-keeps-good-rows", test_seq_mixed_keeps_good_rows);
  g_test_add_func ("/producer/seq-duplicates-logged", test_seq_duplicates_logged);
  g_test_add_func ("/producer/topic-end-beyond-max-seq", test_topic_end_beyond_max_seq);

  return g_test_run ();
}
