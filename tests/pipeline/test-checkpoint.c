/* test-checkpoint.c — the model file: round trip, atomic writes, bad files. */
#define G_LOG_DOMAIN "test-checkpoint"

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "co2s-checkpoint.h"

#include "model-test-data.h"

static Co2sModel *
trained_model (Co2sAlgo algo, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Co2sModel *model = co2s_model_new (algo);
  double x[300 * NF], y[300];

  test_make_rows (rand, 300, "DENXZ", x, y);
  for (guint b = 0; b < 3; b++)
    co2s_model_learn (model, x + b * 100 * NF, y + b * 100, 100);
  return model;
}

static Co2sCheckpoint *
sample_checkpoint (Co2sAlgo algo)
{
  g_autoptr(Co2sModel) model = trained_model (algo, 41);
  Co2sCheckpoint *cp = co2s_checkpoint_new (model);

  cp->batches = 3;
  cp->updated_at_us = G_GINT64_CONSTANT (1718000000123456);
  cp->cluster_id = g_strdup ("mock-cluster-ÿ\"quoted\"");
  cp->topic = g_strdup ("streaming_data");
  co2s_checkpoint_set_offset (cp, 2, 120);
  co2s_checkpoint_set_offset (cp, 0, 100);
  co2s_checkpoint_set_offset (cp, 1, 80);
  co2s_checkpoint_set_offset (cp, 1, 95);   /* replaces */
  /* Partitions 0 and 2 know their last record; 1 does not. */
  co2s_checkpoint_set_position (cp, 0, 100, &(Co2sRecordId) { 0 });
  {
    Co2sRecordId id;

    co2s_record_id_set (&id, 99, G_GINT64_CONSTANT (1718000000123), "99", 2, "{\"seq\":99}", 11);
    co2s_checkpoint_set_position (cp, 0, 100, &id);
    co2s_record_id_set (&id, 119, -1, NULL, 0, "\x01\x02", 2);
    co2s_checkpoint_set_position (cp, 2, 120, &id);
  }
  return cp;
}

static void
assert_same_record_id (const Co2sRecordId *a, const Co2sRecordId *b)
{
  g_assert_cmpint (a->known, ==, b->known);
  g_assert_cmpint (a->offset, ==, b->offset);
  g_assert_cmpint (a->timestamp_ms, ==, b->timestamp_ms);
  g_assert_cmpstr (a->key, ==, b->key);
  g_assert_cmpmem (a->sha256, sizeof a->sha256, b->sha256, sizeof b->sha256);
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("co2s-checkpoint-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
assert_same_predictions (Co2sModel *a, Co2sModel *b)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (43);
  double x[50 * NF], y[50];

  test_make_rows (rand, 50, "DENXZ", x, y);
  for (guint i = 0; i < 50; i++)
    {
      double pa = co2s_model_predict (a, x + i * NF);
      double pb = co2s_model_predict (b, x + i * NF);

      g_assert_cmpmem (&pa, sizeof pa, &pb, sizeof pb);
    }
}

static void
test_round_trip (void)
{
  g_autofree char *dir = make_tmp_dir ();
  /* The folder does not exist yet: save creates it. */
  g_autofree char *path = g_build_filename (dir, "models", "sub", "model.json", NULL);

  for (Co2sAlgo algo = CO2S_ALGO_LS; algo <= CO2S_ALGO_SGD; algo++)
    {
      g_autoptr(Co2sCheckpoint) cp = sample_checkpoint (algo);
      g_autoptr(Co2sCheckpoint) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;
      g_autofree char *json2 = NULL;

      g_assert_true (co2s_checkpoint_save (cp, path, &error));
      g_assert_no_error (error);
      back = co2s_checkpoint_load (path, &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);

      g_assert_cmpuint (back->batches, ==, 3);
      g_assert_cmpint (back->updated_at_us, ==, cp->updated_at_us);
      g_assert_cmpstr (back->cluster_id, ==, cp->cluster_id);
      g_assert_cmpstr (back->topic, ==, "streaming_data");
      g_assert_cmpuint (back->offsets->len, ==, 3);
      for (gint32 p = 0; p < 3; p++)
        {
          g_assert_cmpint (g_array_index (back->offsets, Co2sPartitionOffset, p).partition, ==, p);
          g_assert_cmpint (co2s_checkpoint_get_offset (back, p), ==, co2s_checkpoint_get_offset (cp, p));
        }
      g_assert_cmpint (co2s_checkpoint_get_offset (back, 1), ==, 95);
      g_assert_cmpint (co2s_checkpoint_get_offset (back, 7), ==, -1);
      g_assert_null (co2s_checkpoint_get_position (back, 7));
      for (gint32 p = 0; p < 3; p++)
        assert_same_record_id (&co2s_checkpoint_get_position (back, p)->last,
                               &co2s_checkpoint_get_position (cp, p)->last);
      g_assert_true (co2s_checkpoint_get_position (back, 0)->last.known);
      g_assert_cmpstr (co2s_checkpoint_get_position (back, 0)->last.key, ==, "99");
      g_assert_true (co2s_checkpoint_get_position (back, 2)->last.known);
      g_assert_cmpint (co2s_checkpoint_get_position (back, 2)->last.timestamp_ms, ==, -1);
      g_assert_cmpstr (co2s_checkpoint_get_position (back, 2)->last.key, ==, "");
      g_assert_false (co2s_checkpoint_get_position (back, 1)->last.known);
      g_assert_cmpint (co2s_model_get_algo (back->model), ==, algo);
      g_assert_cmpuint (co2s_model_get_rows_seen (back->model), ==, 300);
      assert_same_predictions (cp->model, back->model);

      /* Byte-identical when written again. */
      json = co2s_checkpoint_to_json (cp);
      json2 = co2s_checkpoint_to_json (back);
      g_assert_cmpstr (json, ==, json2);
      g_assert_nonnull (strstr (json, "\"updated_at\" : \"2024-06-10T06:13:20.123456Z\""));
      g_assert_nonnull (strstr (json, "\"format_version\" : 1"));
    }

  /* No Kafka position yet: nulls and an empty list. */
  {
    g_autoptr(Co2sModel) model = co2s_model_new (CO2S_ALGO_LS);
    g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_new (model);
    g_autoptr(Co2sCheckpoint) back = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (ABS (cp->updated_at_us - g_get_real_time ()), <, 60 * G_USEC_PER_SEC);
    g_assert_true (co2s_checkpoint_save (cp, path, &error));
    back = co2s_checkpoint_load (path, &error);
    g_assert_no_error (error);
    g_assert_null (back->cluster_id);
    g_assert_null (back->topic);
    g_assert_cmpuint (back->offsets->len, ==, 0);
    g_assert_cmpuint (co2s_model_get_rows_seen (back->model), ==, 0);
  }

  remove_tree (dir);
}

typedef struct {
  const char *path;
  gint stop;
  guint loads;
  guint failures;
  guint64 last_batches;
  gboolean went_back;
  char *first_error;
} Reader;

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;

  while (!g_atomic_int_get (&r->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_load (r->path, &error);

      r->loads++;
      if (cp == NULL)
        {
          if (r->failures++ == 0)
            r->first_error = g_strdup (error->message);
          continue;
        }
      if (cp->batches < r->last_batches)
        r->went_back = TRUE;
      r->last_batches = cp->batches;
    }
  return NULL;
}

/* A reader loading while the writer saves over and over only ever sees a
 * whole file, old or new; no temporary file is left behind. */
static void
test_atomic (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "model.json", NULL);
  g_autoptr(Co2sCheckpoint) cp = sample_checkpoint (CO2S_ALGO_LS);
  g_autoptr(GRand) rand = g_rand_new_with_seed (47);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  Reader reader = { 0 };
  GThread *thread;
  double x[20 * NF], y[20];
  guint saves = 0;
  gint64 deadline;
  const char *name;

  g_assert_true (co2s_checkpoint_save (cp, path, &error));
  g_assert_no_error (error);

  reader.path = path;
  thread = g_thread_new ("reader", reader_thread, &reader);

  /* At least 60 saves and 200 loads, within a generous deadline. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while ((saves < 60 || reader.loads < 200) && g_get_monotonic_time () < deadline)
    {
      test_make_rows (rand, 20, "DENXZ", x, y);
      co2s_model_learn (cp->model, x, y, 20);
      cp->batches++;
      co2s_checkpoint_set_offset (cp, 0, (gint64) cp->batches * 20);
      g_assert_true (co2s_checkpoint_save (cp, path, &error));
      g_assert_no_error (error);
      saves++;
    }
  g_atomic_int_set (&reader.stop, 1);
  g_thread_join (thread);

  g_test_message ("%u saves, %u loads", saves, reader.loads);
  if (reader.failures > 0)
    g_error ("%u of %u loads failed during saves; first: %s", reader.failures, reader.loads, reader.first_error);
  g_assert_cmpuint (saves, >=, 60);
  g_assert_cmpuint (reader.loads, >=, 200);
  g_assert_false (reader.went_back);

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    g_assert_cmpstr (name, ==, "model.json");

  g_free (reader.first_error);
  remove_tree (dir);
}

static void
expect_invalid (const char *dir, const char *name, const char *contents, gssize len, const char *mentions)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;

  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  cp = co2s_checkpoint_load (path, &error);
  g_assert_null (cp);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (strstr (error->message, path) == NULL || strstr (error->message, mentions) == NULL)
    g_error ("%s: message “%s” should name the file and mention “%s”", name, error->message, mentions);
  g_test_message ("%s: %s", name, error->message);
}

/* The sample checkpoint as JSON with one member replaced (@value) or removed
 * (NULL), at dotted @member_path. */
static char *
edited (const char *member_path, const char *value)
{
  g_autoptr(Co2sCheckpoint) cp = sample_checkpoint (CO2S_ALGO_LS);
  g_autofree char *json = co2s_checkpoint_to_json (cp);
  g_autoptr(JsonNode) root = json_from_string (json, NULL);
  g_auto(GStrv) parts = g_strsplit (member_path, ".", -1);
  guint n = g_strv_length (parts);
  JsonObject *object = json_node_get_object (root);

  for (guint i = 0; i + 1 < n; i++)
    object = json_object_get_object_member (object, parts[i]);
  if (value == NULL)
    json_object_remove_member (object, parts[n - 1]);
  else
    json_object_set_member (object, parts[n - 1], json_from_string (value, NULL));
  return json_to_string (root, TRUE);
}

#define SHA_ZERO_62 "00000000000000000000000000000000000000000000000000000000000000"
#define SHA_ZERO "00" SHA_ZERO_62

static void
test_corrupt (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(Co2sCheckpoint) cp = sample_checkpoint (CO2S_ALGO_SGD);
  g_autofree char *good = co2s_checkpoint_to_json (cp);
  struct {
    const char *name;
    const char *member;
    const char *value;
    const char *mentions;
  } edits[] = {
    { "no-version.json", "format_version", NULL, "member \"format_version\" is missing" },
    { "version-2.json", "format_version", "2", "format_version 2 is not supported" },
    { "version-string.json", "format_version", "\"1\"", "member \"format_version\" is not an integer" },
    { "short-coefficients.json", "coefficients", "[1,2,3,4,5,6,7,8,9]", "member \"coefficients\" must have 10 elements, not 9" },
    { "text-coefficient.json", "coefficients", "[1,2,3,4,5,6,7,8,9,\"x\"]", "member \"coefficients[9]\" is not a number" },
    { "short-mean.json", "state.x_mean", "[1,2]", "member \"state.x_mean\" must have 10 elements, not 2" },
    { "bad-comoment.json", "state.xx_comoment", "[1,2,3,4,5,6,7,8,9,10]", "member \"state.xx_comoment[0]\" is not an array" },
    { "bad-algo.json", "algo", "\"svm\"", "member \"algo\" must be" },
    { "no-batches.json", "batches", NULL, "member \"batches\" is missing" },
    { "negative-batches.json", "batches", "-3", "member \"batches\" is -3, below 0" },
    { "bad-updated-at.json", "updated_at_us", "\"yesterday\"", "member \"updated_at_us\" is not an integer" },
    { "no-kafka.json", "kafka", NULL, "member \"kafka\" is missing" },
    { "kafka-array.json", "kafka", "[]", "member \"kafka\" is not an object" },
    { "no-cluster.json", "kafka.cluster_id", NULL, "member \"kafka.cluster_id\" is missing" },
    { "bad-topic.json", "kafka.topic", "42", "member \"kafka.topic\" is not a string or null" },
    { "bad-offsets.json", "kafka.offsets", "{}", "member \"kafka.offsets\" is not an array" },
    { "offset-number.json", "kafka.offsets", "[7]", "member \"kafka.offsets[0]\" is not an object" },
    { "negative-partition.json", "kafka.offsets", "[{\"partition\":-1,\"next_offset\":5}]",
      "member \"kafka.offsets[0].partition\" is -1, below 0" },
    { "huge-partition.json", "kafka.offsets", "[{\"partition\":0,\"next_offset\":5},{\"partition\":2147483648,\"next_offset\":5}]",
      "member \"kafka.offsets[1].partition\" is 2147483648, above 2147483647" },
    { "text-offset.json", "kafka.offsets", "[{\"partition\":0,\"next_offset\":\"5\"}]",
      "member \"kafka.offsets[0].next_offset\" is not an integer" },
    { "no-offset.json", "kafka.offsets", "[{\"partition\":0}]", "member \"kafka.offsets[0].next_offset\" is missing" },
    { "last-after-next.json", "kafka.offsets",
      "[{\"partition\":0,\"next_offset\":5,\"last_record\":{\"offset\":5,\"timestamp_ms\":null,"
      "\"key\":null,\"sha256\":\"" SHA_ZERO "\"}}]",
      "member \"kafka.offsets[0].last_record.offset\" is 5, above 4" },
    { "last-no-sha.json", "kafka.offsets",
      "[{\"partition\":0,\"next_offset\":5,\"last_record\":{\"offset\":4,\"timestamp_ms\":1,\"key\":null}}]",
      "member \"kafka.offsets[0].last_record.sha256\" is missing" },
    { "last-short-sha.json", "kafka.offsets",
      "[{\"partition\":0,\"next_offset\":5,\"last_record\":{\"offset\":4,\"timestamp_ms\":1,"
      "\"key\":null,\"sha256\":\"00ff\"}}]",
      "member \"kafka.offsets[0].last_record.sha256\" must have 64 hexadecimal digits, not 4" },
    { "last-bad-sha.json", "kafka.offsets",
      "[{\"partition\":0,\"next_offset\":5,\"last_record\":{\"offset\":4,\"timestamp_ms\":1,"
      "\"key\":null,\"sha256\":\"0g" SHA_ZERO_62 "\"}}]",
      "member \"kafka.offsets[0].last_record.sha256\" is not hexadecimal (at character 2)" },
    { "last-text-time.json", "kafka.offsets",
      "[{\"partition\":0,\"next_offset\":5,\"last_record\":{\"offset\":4,\"timestamp_ms\":\"now\","
      "\"key\":null,\"sha256\":\"" SHA_ZERO "\"}}]",
      "member \"kafka.offsets[0].last_record.timestamp_ms\" is not an integer" },
    { "last-long-key.json", "kafka.offsets",
      "[{\"partition\":0,\"next_offset\":5,\"last_record\":{\"offset\":4,\"timestamp_ms\":1,"
      "\"key\":\"0123456789012345678901234567890123456789x\",\"sha256\":\"" SHA_ZERO "\"}}]",
      "member \"kafka.offsets[0].last_record.key\" is longer than 40 bytes" },
    { "last-array.json", "kafka.offsets",
      "[{\"partition\":0,\"next_offset\":5,\"last_record\":[]}]",
      "member \"kafka.offsets[0].last_record\" is not an object" },
    { "duplicate-partition.json", "kafka.offsets",
      "[{\"partition\":0,\"next_offset\":5},{\"partition\":0,\"next_offset\":6}]",
      "member \"kafka.offsets[1].partition\" is 0 again: that partition appears twice" },
  };

  expect_invalid (dir, "empty.json", "", 0, "empty (no JSON value)");
  expect_invalid (dir, "blank.json", "  \n\n", -1, "empty (no JSON value)");
  expect_invalid (dir, "truncated.json", good, strlen (good) / 2, "not JSON: ");
  expect_invalid (dir, "truncated-end.json", good, strlen (good) - 3, "not JSON: unexpected end of the input");
  expect_invalid (dir, "not-json.json", "this is not a model\n", -1, "not JSON: invalid literal");
  /* Strict JSON only: json-glib alone would read each of these (issue 10). */
  {
    g_autofree char *twice = g_strconcat (good, good, NULL);
    g_autofree char *commented = g_strconcat ("// saved by hand\n", good, NULL);

    expect_invalid (dir, "twice.json", twice, -1, "a second JSON value after the first");
    expect_invalid (dir, "commented.json", commented, -1, "not JSON: comment (JSON has no comments) at byte offset 0");
  }
  expect_invalid (dir, "binary.json", "\x89PNG\r\n\x1a\n\0\0", 10, "not JSON");
  expect_invalid (dir, "array.json", "[1, 2, 3]", -1, "not a JSON object (an array)");
  /* json-glib would overflow the stack on this one. */
  {
    g_autoptr(GString) deep = g_string_new ("{\"format_version\": ");

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    expect_invalid (dir, "deep.json", deep->str, deep->len,
                    "nested deeper than 64 levels at byte offset 82, in \"format_version\"");
  }

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *json = edited (edits[i].member, edits[i].value);

      expect_invalid (dir, edits[i].name, json, -1, edits[i].mentions);
    }

  /* Parsing from memory names the origin given. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(Co2sCheckpoint) none = co2s_checkpoint_parse ("{}", 2, "the-origin", &error);

    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "the-origin"));
  }

  remove_tree (dir);
}

/* A model file as the trainer wrote it before offsets had a last_record
 * (commit f28651c): it loads, its last records unknown, and is written
 * back without one. */
static void
test_old_file (void)
{
  static const char old[] =
    "{\n"
    "  \"format_version\" : 1,\n"
    "  \"batches\" : 1,\n"
    "  \"updated_at\" : \"2024-06-10T06:13:20.123456Z\",\n"
    "  \"updated_at_us\" : 1718000000123456,\n"
    "  \"kafka\" : {\n"
    "    \"cluster_id\" : \"abc\",\n"
    "    \"topic\" : \"streaming_data\",\n"
    "    \"offsets\" : [ { \"partition\" : 0, \"next_offset\" : 100 },\n"
    "                  { \"partition\" : 3, \"next_offset\" : 7 } ]\n"
    "  },\n"
    "  \"algo\" : \"sgd\",\n"
    "  \"features\" : [ \"Engine_Size\", \"Cylinders\", \"Fuel_Consumption_City\",\n"
    "                \"Fuel_Consumption_Hwy\", \"Fuel_Consumption_Comb\", \"Fuel_Type_D\",\n"
    "                \"Fuel_Type_E\", \"Fuel_Type_N\", \"Fuel_Type_X\", \"Fuel_Type_Z\" ],\n"
    "  \"coefficients\" : [ 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 ],\n"
    "  \"intercept\" : 1.96,\n"
    "  \"rows_seen\" : 1,\n"
    "  \"state\" : {\n"
    "    \"alpha\" : 0.0001, \"eta0\" : 0.01, \"power_t\" : 0.25, \"t\" : 2.0, \"steps_capped\" : 0,\n"
    "    \"weights\" : [ 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 ],\n"
    "    \"intercept\" : 1.96,\n"
    "    \"scaler\" : {\n"
    "      \"n_samples_seen\" : 1,\n"
    "      \"mean\" : [ 2.0, 4.0, 9.9000000000000004, 6.7000000000000002, 8.5, 33.0, 0.0, 0.0, 1.0, 0.0 ],\n"
    "      \"var\" : [ 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 ]\n"
    "    }\n"
    "  }\n"
    "}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_parse (old, strlen (old), "old.json", &error);
  g_autofree char *again = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (cp);
  g_assert_cmpint (co2s_model_get_algo (cp->model), ==, CO2S_ALGO_SGD);
  g_assert_cmpuint (co2s_model_get_rows_seen (cp->model), ==, 1);
  g_assert_cmpuint (cp->batches, ==, 1);
  g_assert_cmpstr (cp->cluster_id, ==, "abc");
  g_assert_cmpuint (cp->offsets->len, ==, 2);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 0), ==, 100);
  g_assert_cmpint (co2s_checkpoint_get_offset (cp, 3), ==, 7);
  g_assert_false (co2s_checkpoint_get_position (cp, 0)->last.known);
  g_assert_false (co2s_checkpoint_get_position (cp, 3)->last.known);

  again = co2s_checkpoint_to_json (cp);
  g_assert_null (strstr (again, "last_record"));
}

/* Who a record is: equal for the same bytes, different for any change. */
static void
test_record_id (void)
{
  Co2sRecordId a, b;
  g_autofree char *text = NULL;
  g_autoptr(Co2sModel) model = co2s_model_new (CO2S_ALGO_LS);
  g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_new (model);

  co2s_record_id_set (&a, 299, G_GINT64_CONSTANT (1718000000123), "299", 3, "{\"seq\":299}", 12);
  co2s_record_id_set (&b, 299, G_GINT64_CONSTANT (1718000000123), "299", 3, "{\"seq\":299}", 12);
  g_assert_true (a.known);
  g_assert_cmpstr (a.key, ==, "299");
  g_assert_true (co2s_record_id_equal (&a, &b));

  /* A timestamp missing on either side is not a difference… */
  co2s_record_id_set (&b, 299, -1, "299", 3, "{\"seq\":299}", 12);
  g_assert_true (co2s_record_id_equal (&a, &b));
  /* …a different one is, and so is any other change. */
  co2s_record_id_set (&b, 299, G_GINT64_CONSTANT (1718000000124), "299", 3, "{\"seq\":299}", 12);
  g_assert_false (co2s_record_id_equal (&a, &b));
  co2s_record_id_set (&b, 298, G_GINT64_CONSTANT (1718000000123), "299", 3, "{\"seq\":299}", 12);
  g_assert_false (co2s_record_id_equal (&a, &b));
  co2s_record_id_set (&b, 299, G_GINT64_CONSTANT (1718000000123), "0", 1, "{\"seq\":299}", 12);
  g_assert_false (co2s_record_id_equal (&a, &b));
  co2s_record_id_set (&b, 299, G_GINT64_CONSTANT (1718000000123), "299", 3, "{\"seq\":0}", 9);
  g_assert_false (co2s_record_id_equal (&a, &b));
  /* Bytes moved from the key to the value still differ. */
  co2s_record_id_set (&a, 5, -1, "ab", 2, "c", 1);
  co2s_record_id_set (&b, 5, -1, "a", 1, "bc", 2);
  g_assert_false (co2s_record_id_equal (&a, &b));
  /* No key and an empty key differ; so do a null and an empty value. */
  co2s_record_id_set (&a, 5, -1, NULL, 0, "v", 1);
  co2s_record_id_set (&b, 5, -1, "", 0, "v", 1);
  g_assert_false (co2s_record_id_equal (&a, &b));
  co2s_record_id_set (&a, 5, -1, "k", 1, NULL, 0);
  co2s_record_id_set (&b, 5, -1, "k", 1, "", 0);
  g_assert_false (co2s_record_id_equal (&a, &b));
  /* Unknown is never equal. */
  memset (&b, 0, sizeof b);
  g_assert_false (co2s_record_id_equal (&b, &b));

  /* Only a short printable key is kept as text. */
  co2s_record_id_set (&a, 5, -1, "a\nb", 3, "v", 1);
  g_assert_cmpstr (a.key, ==, "");
  co2s_record_id_set (&a, 5, -1, "\xff\xfe", 2, "v", 1);
  g_assert_cmpstr (a.key, ==, "");
  co2s_record_id_set (&a, 5, -1, "0123456789012345678901234567890123456789x", 41, "v", 1);
  g_assert_cmpstr (a.key, ==, "");

  co2s_record_id_set (&a, 299, G_GINT64_CONSTANT (1718000000123), "299", 3, "{}", 2);
  text = co2s_record_id_describe (&a);
  g_assert_nonnull (strstr (text, "offset 299"));
  g_assert_nonnull (strstr (text, "key \"299\""));
  g_assert_nonnull (strstr (text, "written 2024-06-10T06:13:20.123Z"));

  /* A last record must be before the next offset; set_offset forgets it. */
  co2s_checkpoint_set_position (cp, 0, 299, &a);
  g_assert_false (co2s_checkpoint_get_position (cp, 0)->last.known);
  co2s_checkpoint_set_position (cp, 0, 300, &a);
  g_assert_true (co2s_checkpoint_get_position (cp, 0)->last.known);
  co2s_checkpoint_set_offset (cp, 0, 300);
  g_assert_false (co2s_checkpoint_get_position (cp, 0)->last.known);
}

static void
test_missing (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "nothing-here.json", NULL);
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *under_file = g_build_filename (file, "model.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Co2sCheckpoint) cp = NULL;
  g_autoptr(Co2sModel) model = co2s_model_new (CO2S_ALGO_LS);

  cp = co2s_checkpoint_load (path, &error);
  g_assert_null (cp);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  /* A folder where the file should be: an error naming it. */
  cp = co2s_checkpoint_load (dir, &error);
  g_assert_null (cp);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  /* Saving where the folder cannot be made: an error naming the file. */
  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  cp = co2s_checkpoint_new (model);
  g_assert_false (co2s_checkpoint_save (cp, under_file, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, under_file));

  remove_tree (dir);
}

/* Numbers are written with '.' and read back exactly whatever the locale.
 * This machine may have no locale with a decimal comma installed (locale -a);
 * the test then says so and checks under the locale it has. */
static void
test_locale (void)
{
  static const char *comma_locales[] = {
    "fr_FR.UTF-8", "fr_FR.utf8", "de_DE.UTF-8", "de_DE.utf8", "nl_NL.UTF-8", "ru_RU.UTF-8",
    "es_ES.UTF-8", "it_IT.UTF-8", "pt_BR.UTF-8", "fr_FR", "de_DE",
  };
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "model.json", NULL);
  const char *active = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (comma_locales) && active == NULL; i++)
    if (setlocale (LC_ALL, comma_locales[i]) != NULL)
      {
        g_autofree char *probe = g_strdup_printf ("%.1f", 1.5);

        if (strcmp (probe, "1,5") == 0)
          active = comma_locales[i];
      }
  if (active == NULL)
    {
      active = setlocale (LC_ALL, "C.UTF-8") ? "C.UTF-8" : "C";
      g_test_message ("no locale with a decimal comma is installed here; checking under %s only", active);
    }
  else
    g_test_message ("checking under %s (decimal comma)", active);

  for (Co2sAlgo algo = CO2S_ALGO_LS; algo <= CO2S_ALGO_SGD; algo++)
    {
      g_autoptr(Co2sCheckpoint) cp = sample_checkpoint (algo);
      g_autoptr(Co2sCheckpoint) back = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GRegex) comma = g_regex_new ("[0-9],[0-9]", 0, 0, NULL);
      g_autoptr(GRegex) dot = g_regex_new ("[0-9]\\.[0-9]", 0, 0, NULL);
      g_autofree char *json = co2s_checkpoint_to_json (cp);

      g_assert_false (g_regex_match (comma, json, 0, NULL));
      g_assert_true (g_regex_match (dot, json, 0, NULL));
      g_assert_true (co2s_checkpoint_save (cp, path, &error));
      back = co2s_checkpoint_load (path, &error);
      g_assert_no_error (error);
      assert_same_predictions (cp->model, back->model);
    }

  setlocale (LC_ALL, saved);
  remove_tree (dir);
}

/* Extreme doubles (1e22, 1e306, DBL_MAX, the smallest subnormal…) are
 * written as JSON numbers and read back bit for bit. json-glib's generator
 * wrote 1e22 as "1e+22.0", which is not JSON: a trainer that learned such a
 * value wrote a model file nothing could read back. */
static void
test_extreme_numbers (void)
{
  static const double values[] = {
    1e22, 1e306, -1e-300, 5e-324, DBL_MAX, -DBL_MAX, 1e15, 123456789012345678.0, -0.0, 0.1,
  };
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "model.json", NULL);

  for (Co2sAlgo algo = CO2S_ALGO_LS; algo <= CO2S_ALGO_SGD; algo++)
    {
      g_autoptr(Co2sCheckpoint) sample = sample_checkpoint (algo);
      g_autofree char *sample_json = co2s_checkpoint_to_json (sample);
      g_autoptr(GRegex) coefficients = g_regex_new ("\"coefficients\" : \\[[^]]*\\]", 0, 0, NULL);
      g_autoptr(GRegex) intercept = g_regex_new ("\"intercept\" : [^,\\n]*", 0, 0, NULL);
      g_autoptr(GRegex) bad_number = g_regex_new ("[0-9][eE][-+]?[0-9]+\\.", 0, 0, NULL);
      g_autoptr(GString) list = g_string_new ("\"coefficients\" : [");
      g_autofree char *with_coef = NULL;
      g_autofree char *edited = NULL;
      g_autofree char *json = NULL;
      g_autofree char *json2 = NULL;
      g_autoptr(Co2sCheckpoint) cp = NULL;
      g_autoptr(Co2sCheckpoint) back = NULL;
      g_autoptr(GError) error = NULL;
      double coef[NF], icpt;

      G_STATIC_ASSERT (G_N_ELEMENTS (values) == NF);
      for (guint i = 0; i < NF; i++)
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE];

          /* "-0" would be read as the integer 0. */
          g_string_append_printf (list, "%s%s", i > 0 ? ", " : "",
                                  values[i] == 0.0 && signbit (values[i]) ? "-0.0"
                                  : g_ascii_formatd (text, sizeof text, "%.17g", values[i]));
        }
      g_string_append_c (list, ']');
      /* The last "intercept" member (sgd's state has one too) is the model's
       * for ls; either way every intercept becomes DBL_MAX. */
      with_coef = g_regex_replace_literal (coefficients, sample_json, -1, 0, list->str, 0, &error);
      g_assert_no_error (error);
      edited = g_regex_replace_literal (intercept, with_coef, -1, 0,
                                        "\"intercept\" : 1.7976931348623157e308", 0, &error);
      g_assert_no_error (error);
      cp = co2s_checkpoint_parse (edited, strlen (edited), "edited/model.json", &error);
      g_assert_no_error (error);

      g_assert_true (co2s_checkpoint_save (cp, path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &json, NULL, &error));
      g_assert_no_error (error);
      if (g_regex_match (bad_number, json, 0, NULL))
        g_error ("the model file holds a number that is not JSON:\n%s", json);
      back = co2s_checkpoint_load (path, &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);

      co2s_model_get_coefficients (back->model, coef, &icpt);
      for (guint i = 0; i < NF; i++)
        {
          if (memcmp (&coef[i], &values[i], sizeof coef[i]) != 0)
            g_error ("coefficients[%u] is %.17g, not %.17g, after a save and load:\n%s", i, coef[i], values[i], json);
        }
      g_assert_cmpfloat (icpt, ==, DBL_MAX);

      /* Written again: the same bytes. */
      json2 = co2s_checkpoint_to_json (back);
      g_assert_cmpstr (json, ==, json2);
    }

  remove_tree (dir);
}

/* ---- the model tied to the log --------------------------------------------- */

/* @text with its one @from replaced by @to (fails the test otherwise). */
static char *
replace_once (const char *text, const char *from, const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  g_assert_null (strstr (at + 1, from));
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

static Co2sCheckpoint *
reparse (const Co2sCheckpoint *cp)
{
  g_autofree char *json = co2s_checkpoint_to_json (cp);
  g_autoptr(GError) error = NULL;
  Co2sCheckpoint *back = co2s_checkpoint_parse (json, strlen (json), "test", &error);

  g_assert_no_error (error);
  return back;
}

/* The offsets a model learned: the first one stays from the first batch
 * on; a partition nothing was learned from says so; a file from before
 * the field stays unknown; a first offset at or past next is refused. */
static void
test_learned_range (void)
{
  g_autoptr(Co2sModel) model = trained_model (CO2S_ALGO_LS, 5);
  g_autoptr(Co2sCheckpoint) cp = co2s_checkpoint_new (model);
  g_autoptr(Co2sCheckpoint) back = NULL;
  g_autoptr(Co2sCheckpoint) old = NULL;
  g_autoptr(Co2sCheckpoint) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *old_json = NULL;
  g_autofree char *bad_json = NULL;

  /* A start position (as --reset sets at the log's start): nothing learned. */
  co2s_checkpoint_set_offset (cp, 0, 40);
  co2s_checkpoint_set_offset (cp, 1, 7);
  co2s_checkpoint_note_learned (cp, &(Co2sPartitionOffset) { .partition = 0, .first_offset = 40, .next_offset = 140 });
  co2s_checkpoint_note_learned (cp, &(Co2sPartitionOffset) { .partition = 0, .first_offset = 140, .next_offset = 240 });
  co2s_checkpoint_set_offset (cp, 0, 240);
  g_assert_cmpint (co2s_checkpoint_get_position (cp, 0)->first_offset, ==, 40);
  g_assert_cmpint (co2s_checkpoint_get_position (cp, 1)->first_offset, ==, CO2S_OFFSET_NONE_LEARNED);

  json = co2s_checkpoint_to_json (cp);
  g_assert_nonnull (strstr (json, "\"first_offset\" : 40"));
  g_assert_nonnull (strstr (json, "\"first_offset\" : null"));
  back = reparse (cp);
  g_assert_cmpint (co2s_checkpoint_get_position (back, 0)->first_offset, ==, 40);
  g_assert_cmpint (co2s_checkpoint_get_position (back, 0)->next_offset, ==, 240);
  g_assert_cmpint (co2s_checkpoint_get_position (back, 1)->first_offset, ==, CO2S_OFFSET_NONE_LEARNED);

  /* An older file: no first_offset. Unknown, and it stays so. */
  old_json = replace_once (json, "\"first_offset\" : 40,", "");
  old = co2s_checkpoint_parse (old_json, strlen (old_json), "old", &error);
  g_assert_no_error (error);
  g_assert_cmpint (co2s_checkpoint_get_position (old, 0)->first_offset, ==, CO2S_OFFSET_UNKNOWN);
  co2s_checkpoint_note_learned (old, &(Co2sPartitionOffset) { .partition = 0, .first_offset = 240, .next_offset = 340 });
  g_assert_cmpint (co2s_checkpoint_get_position (old, 0)->first_offset, ==, CO2S_OFFSET_UNKNOWN);

  bad_json = replace_once (json, "\"first_offset\" : 40", "\"first_offset\" : 240");
  bad = co2s_checkpoint_parse (bad_json, strlen (bad_json), "bad", &error);
  g_assert_null (bad);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "kafka.offsets[0].first_offset"));
}

/* The version is the batch count; the parameters' hash is the same for
 * bit-identical models, survives the file, and changes with any parameter. */
static void
test_version_and_hash (void)
{
  g_autoptr(Co2sModel) a = trained_model (CO2S_ALGO_LS, 9);
  g_autoptr(Co2sModel) b = trained_model (CO2S_ALGO_LS, 9);
  g_autoptr(Co2sModel) c = trained_model (CO2S_ALGO_LS, 10);
  g_autoptr(Co2sCheckpoint) ca = co2s_checkpoint_new (a);
  g_autoptr(Co2sCheckpoint) cb = co2s_checkpoint_new (b);
  g_autoptr(Co2sCheckpoint) cc = co2s_checkpoint_new (c);
  g_autoptr(Co2sCheckpoint) back = NULL;
  g_autofree char *ha = co2s_checkpoint_dup_params_sha256 (ca);
  g_autofree char *hb = co2s_checkpoint_dup_params_sha256 (cb);
  g_autofree char *hc = co2s_checkpoint_dup_params_sha256 (cc);
  g_autofree char *hback = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpuint (strlen (ha), ==, 64);
  g_assert_cmpstr (ha, ==, hb);
  g_assert_cmpstr (ha, !=, hc);
  /* Not the bookkeeping: batches, time and offsets are not parameters. */
  cb->batches = 12;
  cb->updated_at_us = 1;
  co2s_checkpoint_set_offset (cb, 0, 99);
  g_clear_pointer (&hb, g_free);
  hb = co2s_checkpoint_dup_params_sha256 (cb);
  g_assert_cmpstr (ha, ==, hb);

  ca->batches = 3;
  json = co2s_checkpoint_to_json (ca);
  g_assert_nonnull (strstr (json, "\"version\" : 3"));
  g_assert_nonnull (strstr (json, ha));
  back = reparse (ca);
  hback = co2s_checkpoint_dup_params_sha256 (back);
  g_assert_cmpstr (hback, ==, ha);

  /* One more row learned: another model. */
  {
    double x[NF] = { 2.0, 4, 9.9, 6.7, 8.5, 0, 0, 0, 1, 0 }, y = 200.0;
    g_autofree char *after = NULL;

    co2s_model_learn (back->model, x, &y, 1);
    after = co2s_checkpoint_dup_params_sha256 (back);
    g_assert_cmpstr (after, !=, ha);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checkpoint/round-trip", test_round_trip);
  g_test_add_func ("/checkpoint/atomic", test_atomic);
  g_test_add_func ("/checkpoint/corrupt", test_corrupt);
  g_test_add_func ("/checkpoint/missing", test_missing);
  g_test_add_func ("/checkpoint/old-file-without-last-record", test_old_file);
  g_test_add_func ("/checkpoint/record-id", test_record_id);
  g_test_add_func ("/checkpoint/locale", test_locale);
  g_test_add_func ("/checkpoint/extreme-numbers", test_extreme_numbers);
  g_test_add_func ("/checkpoint/learned-range", test_learned_range);
  g_test_add_func ("/checkpoint/version-and-hash", test_version_and_hash);

  return g_test_run ();
}
