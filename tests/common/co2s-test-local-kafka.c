/* co2s-test-local-kafka.c — co2stream-kafka as a fault test's own broker. */
#define G_LOG_DOMAIN "co2s-test"

#include "co2s-test-local-kafka.h"

#include <signal.h>
#include <string.h>

#include "co2s-contracts.h"

#define START_DEADLINE_MS 90000   /* a JVM start on a busy 2-core machine: 7-10 s */
#define STOP_DEADLINE_MS  45000   /* co2stream-kafka's --stop-timeout is 30 s */

/* Messages in English, whatever the test's locale. */
static const char * const english[] = { "LC_ALL=C.UTF-8", "LANGUAGE", NULL };

static void
launch (Co2sTestLocalKafka *kafka)
{
  g_autofree char *port = g_strdup_printf ("%u", kafka->port);
  const char *argv[] = { co2s_test_program ("CO2S_KAFKA"), "--data-dir", kafka->dir,
                         "--port", port, NULL };
  g_autofree char *line = NULL;
  g_autofree char *err = NULL;
  guint64 parsed = 0;
  const char *colon;

  g_assert_null (kafka->launcher);
  kafka->launcher = co2s_test_proc_spawn_or_die (argv, english);
  kafka->starts++;
  if (!co2s_test_proc_wait_line (kafka->launcher, CO2S_TEST_STDOUT, "^" CO2S_READY_BROKER_PREFIX,
                                 START_DEADLINE_MS, &line))
    {
      int status = co2s_test_proc_wait_exit (kafka->launcher, 0);

      err = co2s_test_proc_stderr_text (kafka->launcher);
      g_error ("co2stream-kafka (start %u on %s) printed no bootstrap.servers line within %d ms "
               "(exit %d); stderr:\n%s", kafka->starts, kafka->dir, START_DEADLINE_MS, status, err);
    }
  /* The same address at every start: callers may keep the string. */
  if (kafka->bootstrap != NULL)
    g_assert_cmpstr (line + strlen (CO2S_READY_BROKER_PREFIX), ==, kafka->bootstrap);
  else
    kafka->bootstrap = g_strdup (line + strlen (CO2S_READY_BROKER_PREFIX));
  colon = strrchr (kafka->bootstrap, ':');
  g_assert_nonnull (colon);
  g_assert_true (g_ascii_string_to_unsigned (colon + 1, 10, 1, G_MAXUINT16, &parsed, NULL));
  kafka->port = (guint16) parsed;
  g_test_message ("co2stream-kafka ready at %s (start %u)", kafka->bootstrap, kafka->starts);
}

Co2sTestLocalKafka *
co2s_test_local_kafka_start (void)
{
  Co2sTestLocalKafka *kafka = g_new0 (Co2sTestLocalKafka, 1);

  kafka->dir = co2s_test_tmpdir ();
  /* Not one of co2stream-kafka's own picks (--port 0): the restart needs
   * the port back (co2s_test_free_port). */
  kafka->port = co2s_test_free_port ();
  launch (kafka);
  return kafka;
}

void
co2s_test_local_kafka_kill (Co2sTestLocalKafka *kafka)
{
  g_autofree char *pid_path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  guint64 pid = 0;
  int status;

  g_return_if_fail (kafka != NULL && kafka->launcher != NULL);

  pid_path = g_build_filename (kafka->dir, "kafka.pid", NULL);
  if (!g_file_get_contents (pid_path, &text, NULL, &error))
    g_error ("%s", error->message);
  g_assert_true (g_ascii_string_to_unsigned (g_strstrip (text), 10, 2, G_MAXINT, &pid, NULL));
  g_test_message ("SIGKILL to Kafka's JVM (pid %" G_GUINT64_FORMAT ")", pid);
  g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);

  status = co2s_test_proc_wait_exit (kafka->launcher, STOP_DEADLINE_MS);
  err = co2s_test_proc_stderr_text (kafka->launcher);
  if (status != 1 || strstr (err, "killed by signal 9") == NULL)
    g_error ("co2stream-kafka: want exit 1 saying Kafka was killed, got %d; stderr:\n%s", status, err);
  g_clear_pointer (&kafka->launcher, co2s_test_proc_free);
}

void
co2s_test_local_kafka_restart (Co2sTestLocalKafka *kafka)
{
  g_return_if_fail (kafka != NULL && kafka->launcher == NULL);
  launch (kafka);
}

void
co2s_test_local_kafka_free (Co2sTestLocalKafka *kafka)
{
  if (kafka == NULL)
    return;
  if (kafka->launcher != NULL)
    {
      int status = co2s_test_proc_terminate (kafka->launcher, STOP_DEADLINE_MS);

      if (status != 0)
        g_test_message ("co2stream-kafka exited with %d on SIGTERM", status);
      co2s_test_proc_free (kafka->launcher);
    }
  g_free (kafka->dir);
  g_free (kafka->bootstrap);
  g_free (kafka);
}
