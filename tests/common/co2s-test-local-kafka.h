/* co2s-test-local-kafka.h — a test's own durable Apache Kafka for fault
 * tests: co2stream-kafka ($CO2S_KAFKA, a real JVM) on a temporary data
 * folder, whose JVM the test kills with SIGKILL and starts again on the
 * same port with the same data (co2stream-kafka keeps its data across
 * starts; tests/kafka-broker.sh formats a new storage at each start).
 *
 * Call from the test's main thread. Needs Java 17+ and Kafka's jars
 * (scripts/test.sh fetches them): without them the launcher's own message
 * fails the test. Every wait has a deadline. */
#pragma once

#include "co2s-test-util.h"

G_BEGIN_DECLS

typedef struct {
  char *dir;               /* --data-dir, a co2s_test_tmpdir */
  guint16 port;            /* client port, the same at every start */
  char *bootstrap;         /* "127.0.0.1:PORT", the same string until freed */
  Co2sTestProc *launcher;  /* NULL while Kafka is down */
  guint starts;
} Co2sTestLocalKafka;

/* Starts co2stream-kafka on a new data folder and a port it picks, and
 * waits (90 s at most) until Kafka answers. Aborts the test with the
 * launcher's stderr if it does not. Free with co2s_test_local_kafka_free. */
Co2sTestLocalKafka *co2s_test_local_kafka_start (void);

/* Kills Kafka's JVM with SIGKILL (the pid in DIR/kafka.pid) — a crash, not
 * a stop — and waits until its launcher has exited (status 1, saying the
 * JVM was killed). @kafka must be running. */
void co2s_test_local_kafka_kill (Co2sTestLocalKafka *kafka);

/* Starts co2stream-kafka again on the same folder and port, and waits
 * until Kafka answers (after a SIGKILL, Kafka first recovers its logs).
 * @kafka must be down. */
void co2s_test_local_kafka_restart (Co2sTestLocalKafka *kafka);

/* Stops Kafka cleanly if it runs (SIGTERM, then SIGKILL at the deadline)
 * and frees. NULL is fine. */
void co2s_test_local_kafka_free (Co2sTestLocalKafka *kafka);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sTestLocalKafka, co2s_test_local_kafka_free)

G_END_DECLS
