/* co2s-group-watch.h — which trainers run and which partitions each owns.
 *
 * The trainers of a pipeline are the members of one Kafka consumer group
 * (CO2S_TRAINER_GROUP by default): one co2stream-trainer (client.id
 * "co2stream-trainer"), or several co2stream-trainer --scale-out, each with
 * client.id "co2stream-trainer-ID" and some partitions of the data topic
 * (the group's assignor). A Co2sGroupWatch asks the broker for the
 * group's description (the admin API's DescribeConsumerGroups) on a worker
 * thread (GTask: a short-lived admin client per question, so nothing stays
 * open between questions and nothing blocks the main loop), at once on
 * start, then every "interval-ms" after the previous answer, until stopped.
 * Answers are handed to the thread-default main context of the thread that
 * called co2s_group_watch_start; signals and notifications are emitted only
 * there.
 *
 * co2s_group_describe (co2s-group-describe.c) is the same question asked
 * once, blocking, on any thread.
 *
 * Not for librdkafka's mock cluster (co2stream-broker): it refuses
 * DescribeGroups, and librdkafka 2.0.2 then hangs in rd_kafka_destroy (the
 * question's thread never ends). Co2sPipelineController does not watch it.
 *
 * The object is main-thread only (the thread that starts it). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One member of the group: a trainer. Immutable once made; any thread. */
typedef struct {
  char *name;          /* the trainer's name: client.id without "co2stream-trainer-"
                        * ("t1"), "trainer" for client.id "co2stream-trainer",
                        * else the whole client.id */
  char *client_id;     /* as the member gave it */
  char *host;          /* as the broker saw it ("/127.0.0.1"); "" when unknown */
  GArray *partitions;  /* gint32, the partitions of the watched topic it owns,
                        * ascending (empty while a rebalance gives it none) */
} Co2sGroupMember;

/* Frees @member (NULL allowed). */
void co2s_group_member_free (Co2sGroupMember *member);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Co2sGroupMember, co2s_group_member_free)

/* The trainer name of @client_id (not NULL), as Co2sGroupMember.name.
 * Free with g_free. Any thread. */
char *co2s_group_member_name_from_client_id (const char *client_id);

/* The partitions of @member as text: "0, 1, 2" ("" for none). Free with
 * g_free. */
char *co2s_group_member_dup_partitions_text (const Co2sGroupMember *member);

/* Asks Kafka at @brokers (not NULL; @overrides: NULL-terminated -X
 * "key=value" properties, may be NULL) for consumer group @group (not NULL)
 * and returns its members (Co2sGroupMember, sorted by name; an empty array
 * for a group that has none or does not exist), each with its partitions
 * of @topic (not NULL). *@rebalancing (may be NULL) is set TRUE when the
 * group is between two assignments. Returns within about @timeout_ms
 * (> 0) + 1 s. NULL with @error (CO2S_KAFKA_ERROR: _CONFIG for a refused
 * property, else _FAILED with a translated sentence that names the broker
 * and the group) when the broker does not answer or refuses. Blocks; any
 * thread. Free the array with g_ptr_array_unref. */
GPtrArray *co2s_group_describe (const char *brokers,
                                const char * const *overrides,
                                const char *group,
                                const char *topic,
                                guint timeout_ms,
                                gboolean *rebalancing,
                                GError **error);

#define CO2S_TYPE_GROUP_WATCH (co2s_group_watch_get_type ())
G_DECLARE_FINAL_TYPE (Co2sGroupWatch, co2s_group_watch, CO2S, GROUP_WATCH, GObject)

/* A stopped watch of group @group (NULL: CO2S_TRAINER_GROUP) on Kafka at
 * @brokers (not NULL). Properties:
 *   "brokers"      construct-only
 *   "group"        the consumer group (NULL: CO2S_TRAINER_GROUP); see
 *                  co2s_group_watch_set_group
 *   "topic"        whose partitions are listed (default CO2S_TOPIC_DATA)
 *   "overrides"    NULL-terminated -X "key=value" properties (or NULL)
 *   "interval-ms"  pause between an answer and the next question (3000)
 *   "timeout-ms"   how long one question may take (5000)
 * The last three apply from the next question on.
 * Read-only, updated on the main context:
 *   "running"     between start and stop
 *   "answered"    an answer came since start (the members are known)
 *   "n-members"   how many trainers (0 until answered, and after a failure)
 *   "rebalancing" the group is between two assignments
 *   "last-error"  why the last question failed (translated), or NULL after
 *                 an answer
 * Signal "changed": after an answer or a failure that changed anything
 * above or the members, once every value is up to date. */
Co2sGroupWatch *co2s_group_watch_new (const char *brokers,
                                      const char *group);

/* Starts asking (the first question goes at once). No-op when running.
 * Never blocks. */
void co2s_group_watch_start (Co2sGroupWatch *self);

/* Stops asking: an answer on its way is dropped, the members are
 * forgotten ("answered" FALSE, "n-members" 0, "last-error" NULL). Never
 * blocks (the question under way ends on its thread within "timeout-ms"
 * + 1 s). No-op when stopped. Also done by dispose. */
void co2s_group_watch_stop (Co2sGroupWatch *self);

/* Watches consumer group @group (NULL: CO2S_TRAINER_GROUP) instead, e.g.
 * the scale-out trainers' group. While running, the other group's
 * members are forgotten (as by a stop: "answered" FALSE, "changed") and
 * the new group is asked at once; an answer on its way is dropped. */
void co2s_group_watch_set_group (Co2sGroupWatch *self,
                                 const char *group);

gboolean    co2s_group_watch_get_running     (Co2sGroupWatch *self);
gboolean    co2s_group_watch_get_answered    (Co2sGroupWatch *self);
guint       co2s_group_watch_get_n_members   (Co2sGroupWatch *self);
gboolean    co2s_group_watch_get_rebalancing (Co2sGroupWatch *self);
/* Owned by @self; valid until the next update. */
const char *co2s_group_watch_get_last_error  (Co2sGroupWatch *self);
const char *co2s_group_watch_get_group       (Co2sGroupWatch *self);
const char *co2s_group_watch_get_brokers     (Co2sGroupWatch *self);

/* Member @index (< n-members) of the last answer, sorted by name; owned
 * by @self, valid until the next update. */
const Co2sGroupMember *co2s_group_watch_get_member (Co2sGroupWatch *self,
                                                    guint index);

/* What a user interface shows, translated: "3 trainers: t1 (0, 1), t2 (2,
 * 3), t3 (4, 5)", "1 trainer: trainer (0, 1, 2, 3)", "No trainer in group
 * “co2stream-trainer”", with " — rebalancing" while the group is between
 * two assignments; the error when the last question failed; NULL before
 * the first answer or when stopped. Free with g_free. */
char *co2s_group_watch_dup_summary (Co2sGroupWatch *self);

G_END_DECLS
