/* dlq-fixture.h — a dead-letter topic filled the way it fills in real use:
 * records with one bad message of each kind the trainer knows (the kinds of
 * tests/trainer/test-trainer-input.c) among good ones, produced to the
 * embedded broker's streaming_data and learned by co2stream-trainer, which
 * sets the bad ones aside in streaming_data.dlq. */
#pragma once

#include "trainer-fixture.h"

G_BEGIN_DECLS

typedef struct {
  const char *kind;        /* what is wrong */
  const char *reason;      /* the "reason" header the trainer gives it */
} DlqBadKind;

/* The kinds, in the order they are produced; DLQ_N_KINDS of them. */
extern const DlqBadKind dlq_bad_kinds[];
#define DLQ_N_KINDS 7
/* Good records produced around them. */
#define DLQ_N_GOOD 60

typedef struct {
  TrainerEnv env;
  GPtrArray *bad_lines;    /* char *: the bad payloads, in dlq_bad_kinds order */
  GArray *bad_offsets;     /* gint64: their offsets in env.topic */
} DlqFixture;

/* Starts an embedded broker, produces the records and runs the trainer to
 * its end; fails the test unless it exits 0 and the DLQ then holds
 * DLQ_N_KINDS letters. */
void dlq_fixture_fill (DlqFixture *fx);

/* Same on the real Apache Kafka (co2s_test_kafka_brokers), on a records
 * topic of its own: the DLQ is shared with other tests there, and holds
 * DLQ_N_KINDS letters whose source is that topic. */
void dlq_fixture_fill_real (DlqFixture *fx);

/* TRUE when a letter of the DLQ came from @fx's records topic. */
gboolean dlq_fixture_owns (DlqFixture *fx, const char *source);

void dlq_fixture_clear (DlqFixture *fx);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DlqFixture, dlq_fixture_clear)

G_END_DECLS
