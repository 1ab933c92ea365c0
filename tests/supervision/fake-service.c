/* fake-service.c — stands in for co2stream-{broker,api,trainer,producer} in
 * the supervisor tests, so they need no Kafka. The role is the program name
 * (the tests symlink co2stream-broker etc. to this file).
 *
 * It prints the role's ready line (broker: bootstrap.servers=127.0.0.1:PID,
 * api: listening on http://127.0.0.1:PID, trainer: a first log line,
 * producer: nothing), then waits for SIGTERM and exits 0. Each event is
 * appended as one line to $FAKE_RECORD:
 *   start ROLE PID MONOTONIC_US ARG…   ready ROLE PID MONOTONIC_US
 *   term ROLE PID MONOTONIC_US         crash ROLE PID MONOTONIC_US
 *   prepare ROLE PID MONOTONIC_US ARG… (producer --prepare-topic: prints
 *                                       a line and exits 0 at once)
 *
 * Behaviour switches, each a comma-separated list of roles:
 *   FAKE_CRASH        exit 1 FAKE_CRASH_DELAY_MS (default 50) after ready
 *   FAKE_CRASH_ONCE   like FAKE_CRASH, only while $FAKE_RECORD.once-ROLE
 *                     does not exist (it creates it)
 *   FAKE_IGNORE_TERM  record SIGTERM but keep running
 *   FAKE_NEVER_READY  print "warming up" instead of the ready line
 *   FAKE_EXIT_EARLY   print "fatal: cannot start" on stderr and exit 2
 *   FAKE_MIXED        after ready, print "warning on stderr" on stderr and
 *                     a line with invalid UTF-8 on stdout
 *   FAKE_CHATTY       then print FAKE_LOG_LINES lines "line N" on stdout */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "co2s-contracts.h"

static volatile sig_atomic_t got_term;
static const char *role = "unknown";
static const char *record_role = "unknown";

static long long
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
record (const char *event,
        int argc,
        char **argv)
{
  const char *path = getenv ("FAKE_RECORD");
  char line[4096];
  int len;
  int fd;

  if (path == NULL)
    return;

  len = snprintf (line, sizeof line, "%s %s %d %lld", event, record_role, (int) getpid (), now_us ());
  for (int i = 1; i < argc && len < (int) sizeof line - 2; i++)
    len += snprintf (line + len, sizeof line - len, " %s", argv[i]);
  if (len > (int) sizeof line - 2)
    len = sizeof line - 2;
  line[len++] = '\n';

  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  if (write (fd, line, len) != len)
    perror ("fake-service: record");
  close (fd);
}

static int
role_in (const char *variable)
{
  const char *list = getenv (variable);
  size_t n = strlen (role);

  for (const char *p = list; p != NULL && *p != '\0';)
    {
      const char *end = strchr (p, ',');
      size_t len = end ? (size_t) (end - p) : strlen (p);

      if (len == n && strncmp (p, role, n) == 0)
        return 1;
      p = end ? end + 1 : NULL;
    }
  return 0;
}

static void
on_term (int sig)
{
  got_term = 1;
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

  while (nanosleep (&ts, &ts) != 0 && errno == EINTR && !got_term)
    ;
}

int
main (int argc,
      char **argv)
{
  const char *base = strrchr (argv[0], '/');
  struct sigaction sa = { 0 };
  sigset_t block, old;
  int ignore_term;
  int crash;

  base = base ? base + 1 : argv[0];
  role = strncmp (base, "co2stream-", 10) == 0 ? base + 10 : base;
  /* The local Kafka's launcher plays the broker: FAKE_* variables name it
   * "broker", its records say "kafka". */
  record_role = role;
  if (strcmp (role, "kafka") == 0)
    role = "broker";

  sa.sa_handler = on_term;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigemptyset (&block);
  sigaddset (&block, SIGTERM);
  sigprocmask (SIG_BLOCK, &block, &old);

  setvbuf (stdout, NULL, _IOLBF, 0);

  /* co2stream-producer --prepare-topic (several trainers): says what it
   * did and exits, recorded as "prepare", not "start". */
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--prepare-topic") == 0)
      {
        if (role_in ("FAKE_EXIT_EARLY"))
          {
            fprintf (stderr, "fatal: cannot start\n");
            return 2;
          }
        record ("prepare", argc, argv);
        printf ("topic %s: partitions prepared\n", CO2S_TOPIC_DATA);
        return 0;
      }

  record ("start", argc, argv);

  /* co2stream-kafka --reset-data: deletes the local Kafka's data and exits. */
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--reset-data") == 0)
      {
        record ("reset", argc, argv);
        if (role_in ("FAKE_RESET_FAILS"))
          {
            fprintf (stderr, "co2stream-kafka: a broker still runs from this folder (pid 4242)\n");
            return 1;
          }
        printf ("deleted the local Kafka's data\n");
        return 0;
      }

  if (role_in ("FAKE_EXIT_EARLY"))
    {
      fprintf (stderr, "fatal: cannot start\n");
      return 2;
    }

  /* Recorded before the line, so the record precedes anything the line
   * makes the supervisor do. */
  record ("ready", 0, NULL);
  if (role_in ("FAKE_NEVER_READY"))
    printf ("warming up\n");
  else if (strcmp (role, "broker") == 0)
    printf (CO2S_READY_BROKER_PREFIX "127.0.0.1:%d\n", (int) getpid ());
  else if (strcmp (role, "api") == 0)
    printf (CO2S_READY_API_PREFIX "http://127.0.0.1:%d\n", (int) getpid ());
  else if (strcmp (role, "trainer") == 0)
    printf ("trainer: consuming\n");

  if (role_in ("FAKE_MIXED"))
    {
      fprintf (stderr, "warning on stderr\n");
      printf ("bad utf8 \xff\xfe end\n");
    }

  if (role_in ("FAKE_CHATTY"))
    {
      const char *n = getenv ("FAKE_LOG_LINES");
      int lines = n ? atoi (n) : 10;

      for (int i = 1; i <= lines; i++)
        printf ("line %d\n", i);
    }

  crash = role_in ("FAKE_CRASH");
  if (!crash && role_in ("FAKE_CRASH_ONCE"))
    {
      char marker[4096];

      snprintf (marker, sizeof marker, "%s.once-%s", getenv ("FAKE_RECORD") ? getenv ("FAKE_RECORD") : "/tmp/fake", role);
      if (access (marker, F_OK) != 0)
        {
          int fd = open (marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

          if (fd >= 0)
            close (fd);
          crash = 1;
        }
    }

  if (crash)
    {
      const char *d = getenv ("FAKE_CRASH_DELAY_MS");

      sigprocmask (SIG_SETMASK, &old, NULL);
      sleep_ms (d ? atol (d) : 50);
      if (!got_term)
        {
          record ("crash", 0, NULL);
          return 1;
        }
      record ("term", 0, NULL);
      return 0;
    }

  ignore_term = role_in ("FAKE_IGNORE_TERM");
  for (;;)
    {
      sigsuspend (&old);
      if (got_term)
        {
          record ("term", 0, NULL);
          if (!ignore_term)
            return 0;
          got_term = 0;
        }
    }
}
