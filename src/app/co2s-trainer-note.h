/* co2s-trainer-note.h — the trainer's service row says how many trainers
 * run and which partitions each owns ("2 trainers: t1 (0, 1), t2 (2, 3)"),
 * or why the broker does not tell, from the pipeline controller's
 * "group-watch" (co2s-group-watch.h); nothing while no group is watched
 * (the embedded broker, or no Kafka yet). Main thread. */
#pragma once

#include "co2s-pipeline-controller.h"
#include "co2s-service-row.h"

G_BEGIN_DECLS

/* Keeps @row's "note" up to date with @controller's group watch for as
 * long as @row lives (the handlers go with it; @controller is not kept
 * alive by it). */
void co2s_trainer_note_attach (Co2sServiceRow         *row,
                               Co2sPipelineController *controller);

G_END_DECLS
