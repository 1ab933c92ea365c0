/* co2s-contracts.h — the text the programs agree on: topic names, the
 * lines a program prints for another program (or a test) to read, and the
 * names of the model folder's files. Header only, and string literals only
 * (so they can be pasted into other literals: "default " CO2S_TOPIC_DATA).
 *
 * None of these is translated: other programs, scripts (bench/pipeline.py,
 * tests/kafka-broker.sh) and the tests match them byte for byte. Changing
 * one changes a protocol. */
#pragma once

/* Topic of the vehicle records, written by co2stream-producer, read by co2stream-trainer. */
#define CO2S_TOPIC_DATA "streaming_data"
/* Dead-letter topic: messages that are no valid record, with headers reason, detail, source. */
#define CO2S_TOPIC_DLQ "streaming_data.dlq"
/* Header of a message co2stream-dlq sent back from the DLQ to streaming_data ("streaming_data.dlq[P]@O TIME"):
 * an old row again, outside the producer's seq order (co2s_topic_find_last_seq passes over it). */
#define CO2S_HEADER_REDRIVE "co2s-redrive"
/* Topic of the per-batch metrics (one JSON line per batch), written by the trainer, followed by the app. */
#define CO2S_TOPIC_METRICS "streaming_metrics"
/* Consumer group of co2stream-trainer (its --group default, and what the supervisor passes). */
#define CO2S_TRAINER_GROUP "co2stream-trainer"
/* Kafka bootstrap servers the producer and the trainer use without --brokers. */
#define CO2S_DEFAULT_BROKERS "127.0.0.1:9092"

/* co2stream-broker prints this, then HOST:PORT and a newline, once on stdout when clients can connect. */
#define CO2S_READY_BROKER_PREFIX "bootstrap.servers="
/* co2stream-api prints this, then its base URL (http://HOST:PORT) and a newline, on stdout once it serves. */
#define CO2S_READY_API_PREFIX "listening on "
/* Path of the API's NDJSON stream, appended to the API's base URL (the producer's --api). */
#define CO2S_API_STREAM_PATH "/stream"

/* co2stream-trainer's stdout line per batch, e.g. "batch 12: 100 rows, rmse 6.21 g/km, mae 4.80,
 * rows_seen 1200"; arguments: batch (guint64), rows (guint), rmse text, " g/km" or "", mae text,
 * rows_seen (guint64); numbers with a decimal point, "n/a" where nothing was measured. Needs
 * <glib.h> where it is used (this header includes nothing, so plain C programs can use it). */
#define CO2S_TRAINER_BATCH_LINE_FORMAT \
  "batch %" G_GUINT64_FORMAT ": %u rows, rmse %s%s, mae %s, rows_seen %" G_GUINT64_FORMAT "\n"

/* Folder of the model files when neither --model-dir nor a setting says otherwise. */
#define CO2S_DEFAULT_MODEL_DIR "models"
/* The trainer's checkpoint (model, offsets) in the model folder; what co2stream-predict reads. */
#define CO2S_MODEL_FILE "model.json"
/* The trainer's metrics log in the model folder: one JSON line per batch, the app's history. */
#define CO2S_METRICS_FILE "metrics.jsonl"
