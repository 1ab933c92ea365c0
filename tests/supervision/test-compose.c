/* test-compose.c — the Docker Compose backend, with fake `docker` and
 * `docker-compose` scripts written by the test (there is no Docker engine
 * here), and with no Docker at all. */
#define G_LOG_DOMAIN "test-compose"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "co2s-compose.h"
#include "co2s-supervisor.h"
#include "supervisor-test-util.h"

#define DEADLINE_MS 10000

/* `docker`: compose v2 plugin unless FAKE_DOCKER_MODE=v1; `info` fails
 * (daemon-down) or hangs (hang) on request. Logs every call. */
static const char fake_docker[] =
  "#!/bin/sh\n"
  "PATH=/usr/bin:/bin\n"
  "echo \"docker $*\" >> \"$FAKE_DOCKER_LOG\"\n"
  "case \"$1\" in\n"
  "  info)\n"
  "    case \"$FAKE_DOCKER_MODE\" in\n"
  "      daemon-down) echo 'Client:' ; echo ' Context: default' ;\n"
  "        echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1;;\n"
  "      hang) echo \"hang $$\" >> \"$FAKE_DOCKER_LOG\"; exec sleep 60;;\n"
  "    esac\n"
  "    echo 24.0.7; exit 0;;\n"
  "  inspect) cat \"$FAKE_INSPECT_FILE\"; exit 0;;\n"
  "  compose)\n"
  "    if [ \"$FAKE_DOCKER_MODE\" = v1 ]; then echo \"docker: 'compose' is not a docker command.\" >&2; exit 1; fi\n"
  "    shift;;\n"
  "  *) exit 1;;\n"
  "esac\n"
  "[ \"$1\" = version ] && { echo 'Docker Compose version v2.20.2'; exit 0; }\n"
  "[ \"$1\" = -f ] && shift 2\n"
  "cmd=$1; shift\n"
  "case \"$cmd\" in\n"
  "  up) echo \"up $1 CO2S_ALGO=$CO2S_ALGO\" >> \"$FAKE_DOCKER_LOG\"; exit 0;;\n"
  "  stop) exit 0;;\n"
  "  ps) cat \"$FAKE_PS_FILE\"; exit 0;;\n"
  "  logs) for last; do :; done; echo \"hello from $last\"; echo \"follower $$\" >> \"$FAKE_DOCKER_LOG\"; exec sleep 60;;\n"
  "esac\n"
  "exit 1\n";

/* `docker-compose` v1: `ps -q` prints two container ids. */
static const char fake_docker_compose[] =
  "#!/bin/sh\n"
  "PATH=/usr/bin:/bin\n"
  "echo \"docker-compose $*\" >> \"$FAKE_DOCKER_LOG\"\n"
  "[ \"$1\" = -f ] && shift 2\n"
  "cmd=$1; shift\n"
  "case \"$cmd\" in\n"
  "  up) if [ \"$FAKE_DOCKER_MODE\" = v1-down ]; then\n"
  "        echo 'Traceback (most recent call last):' >&2\n"
  "        echo \"docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))\" >&2\n"
  "        exit 1; fi; exit 0;;\n"
  "  stop) exit 0;;\n"
  "  ps) printf 'aaa111\\nbbb222\\n'; exit 0;;\n"
  "  logs) for last; do :; done; echo \"v1 hello from $last\"; echo \"follower $$\" >> \"$FAKE_DOCKER_LOG\"; exec sleep 60;;\n"
  "esac\n"
  "exit 1\n";

/* `podman-compose` (and `podman` for inspect), with no docker at all; it
 * logs the DOCKER_HOST it was given. */
static const char fake_podman_compose[] =
  "#!/bin/sh\n"
  "PATH=/usr/bin:/bin\n"
  "echo \"podman-compose $*\" >> \"$FAKE_DOCKER_LOG\"\n"
  "echo \"host ${DOCKER_HOST:-unset}\" >> \"$FAKE_DOCKER_LOG\"\n"
  "[ \"$1\" = -f ] && shift 2\n"
  "cmd=$1; shift\n"
  "case \"$cmd\" in\n"
  "  up|stop) exit 0;;\n"
  "  ps) printf 'aaa111\\n'; exit 0;;\n"
  "  logs) for last; do :; done; echo \"podman hello from $last\"; echo \"follower $$\" >> \"$FAKE_DOCKER_LOG\"; exec sleep 60;;\n"
  "esac\n"
  "exit 1\n";

static const char fake_podman[] =
  "#!/bin/sh\n"
  "PATH=/usr/bin:/bin\n"
  "echo \"podman $*\" >> \"$FAKE_DOCKER_LOG\"\n"
  "[ \"$1\" = inspect ] && { cat \"$FAKE_INSPECT_FILE\"; exit 0; }\n"
  "exit 1\n";

typedef struct
{
  char *tmp;
  char *bin;
  char *log;
  char *ps_file;
  char *inspect_file;
  char *compose_file;
  char *old_path;
  Co2sSupervisor *sup;
} Fixture;

static void
write_script (const char *dir,
              const char *name,
              const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
fixture_setup (Fixture *f,
               gconstpointer data)
{
  f->tmp = co2s_test_tmpdir ();
  f->bin = g_build_filename (f->tmp, "bin", NULL);
  f->log = g_build_filename (f->tmp, "docker.log", NULL);
  f->ps_file = g_build_filename (f->tmp, "ps.json", NULL);
  f->inspect_file = g_build_filename (f->tmp, "inspect.json", NULL);
  f->compose_file = g_build_filename (f->tmp, "docker-compose.yml", NULL);
  g_assert_cmpint (g_mkdir (f->bin, 0755), ==, 0);
  g_assert_true (g_file_set_contents (f->compose_file, "services: {}\n", -1, NULL));
  g_assert_true (g_file_set_contents (f->ps_file, "", -1, NULL));

  f->old_path = g_strdup (g_getenv ("PATH"));
  g_setenv ("PATH", f->bin, TRUE);
  g_setenv ("FAKE_DOCKER_LOG", f->log, TRUE);
  g_setenv ("FAKE_PS_FILE", f->ps_file, TRUE);
  g_setenv ("FAKE_INSPECT_FILE", f->inspect_file, TRUE);
  g_unsetenv ("FAKE_DOCKER_MODE");

  f->sup = co2s_supervisor_new ();
  g_object_set (f->sup,
                "backend", CO2S_BACKEND_COMPOSE,
                "compose-file", f->compose_file,
                "docker-timeout", 3000,
                "compose-poll-interval", 50,
                NULL);
}

static void
fixture_teardown (Fixture *f,
                  gconstpointer data)
{
  test_supervisor_stop_all (&f->sup, DEADLINE_MS, "every docker process to be gone");

  g_setenv ("PATH", f->old_path, TRUE);
  g_unsetenv ("FAKE_DOCKER_MODE");
  g_assert_true (co2s_test_rm_rf (f->tmp, NULL));
  g_free (f->tmp);
  g_free (f->bin);
  g_free (f->log);
  g_free (f->ps_file);
  g_free (f->inspect_file);
  g_free (f->compose_file);
  g_free (f->old_path);
}

static Co2sService *
svc (Fixture *f,
     Co2sServiceKind kind)
{
  return co2s_supervisor_get_service (f->sup, kind);
}

static gboolean
start (Fixture *f,
       GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  co2s_supervisor_start_async (f->sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, DEADLINE_MS, "start");
  return co2s_supervisor_start_finish (f->sup, result, error);
}

static void
stop_ok (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  co2s_supervisor_stop_async (f->sup, NULL, co2s_test_store_result, &result);
  co2s_test_assert_result (&result, DEADLINE_MS, "stop");
  g_assert_true (co2s_supervisor_stop_finish (f->sup, result, &error));
  g_assert_no_error (error);
}

/* Lines of the docker log that start with @prefix, with it removed. */
static GPtrArray *
calls_with_prefix (Fixture *f,
                   const char *prefix)
{
  g_autoptr(GPtrArray) lines = test_read_lines (f->log);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (lines, i), prefix))
      g_ptr_array_add (out, g_strdup ((char *) g_ptr_array_index (lines, i) + strlen (prefix)));
  return out;
}

/* ---- Parsing ------------------------------------------------------------ */

static void
assert_container (GPtrArray *containers,
                  guint index,
                  const char *service,
                  const char *state,
                  const char *health,
                  int exit_code)
{
  Co2sComposeContainer *c;

  g_assert_cmpuint (index, <, containers->len);
  c = g_ptr_array_index (containers, index);
  g_assert_cmpstr (c->service, ==, service);
  g_assert_cmpstr (c->state, ==, state);
  g_assert_cmpstr (c->health, ==, health);
  g_assert_cmpint (c->exit_code, ==, exit_code);
}

static void
test_parse (void)
{
  /* Compose < 2.21: one JSON array. */
  static const char array[] =
    "[{\"Name\":\"co2stream-kafka-1\",\"Service\":\"kafka\",\"State\":\"running\",\"Health\":\"healthy\",\"ExitCode\":0},"
    " {\"Name\":\"co2stream-api-1\",\"Service\":\"api\",\"State\":\"running\",\"Health\":\"\",\"ExitCode\":0},"
    " {\"Name\":\"co2stream-producer-1\",\"Service\":\"producer\",\"State\":\"exited\",\"Health\":\"\",\"ExitCode\":137}]\n";
  /* Compose ≥ 2.21: one object per line. */
  static const char ndjson[] =
    "{\"Service\":\"trainer\",\"State\":\"restarting\",\"Health\":\"\",\"ExitCode\":1}\n"
    "\n"
    "{\"Service\":\"api\",\"State\":\"running\",\"Health\":\"unhealthy\",\"ExitCode\":0}\n";
  static const char inspect[] =
    "[{\"Id\":\"aaa111\",\"State\":{\"Status\":\"running\",\"ExitCode\":0,\"Health\":{\"Status\":\"starting\"}},"
    "  \"Config\":{\"Labels\":{\"com.docker.compose.service\":\"kafka\",\"com.docker.compose.project\":\"co2stream\"}}},"
    " {\"Id\":\"bbb222\",\"State\":{\"Status\":\"exited\",\"ExitCode\":2},"
    "  \"Config\":{\"Labels\":{\"com.docker.compose.service\":\"trainer\"}}}]";
  static const char traceback[] =
    "Traceback (most recent call last):\n"
    "  File \"/usr/lib/python3/dist-packages/docker/api/client.py\", line 214, in _retrieve_server_version\n"
    "docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))\n";
  static const char *bad[] = {
    "not json",
    "{\"Service\":\"api\"}",                  /* no State */
    "[{\"State\":\"running\"}]",              /* no Service */
    "[1, 2]",                                 /* not objects */
    "{\"Service\":\"api\",\"State\":\"running\"}\n{broken",
  };
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) n = NULL;
  g_autoptr(GPtrArray) empty = NULL;
  g_autoptr(GPtrArray) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *summary2 = NULL;
  char *message = NULL;

  a = co2s_compose_parse_ps (array, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->len, ==, 3);
  assert_container (a, 0, "kafka", "running", "healthy", 0);
  assert_container (a, 1, "api", "running", NULL, 0);
  assert_container (a, 2, "producer", "exited", NULL, 137);

  n = co2s_compose_parse_ps (ndjson, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n->len, ==, 2);
  assert_container (n, 0, "trainer", "restarting", NULL, 1);
  assert_container (n, 1, "api", "running", "unhealthy", 0);

  empty = co2s_compose_parse_ps ("  \n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) none = co2s_compose_parse_ps (bad[i], &error);

      g_assert_null (none);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_clear_error (&error);
    }

  in = co2s_compose_parse_inspect (inspect, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (in->len, ==, 2);
  assert_container (in, 0, "kafka", "running", "starting", 0);
  assert_container (in, 1, "trainer", "exited", NULL, 2);
  g_assert_null (co2s_compose_parse_inspect ("[{\"State\":{\"Status\":\"running\"}}]", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* State mapping. */
  g_assert_cmpint (co2s_compose_container_state (g_ptr_array_index (a, 0), TRUE, &message), ==, CO2S_SERVICE_STATE_RUNNING);
  g_assert_null (message);
  g_assert_cmpint (co2s_compose_container_state (g_ptr_array_index (n, 1), TRUE, &message), ==, CO2S_SERVICE_STATE_UNHEALTHY);
  g_assert_nonnull (message);
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (co2s_compose_container_state (g_ptr_array_index (in, 0), TRUE, NULL), ==, CO2S_SERVICE_STATE_STARTING);
  g_assert_cmpint (co2s_compose_container_state (g_ptr_array_index (n, 0), TRUE, &message), ==, CO2S_SERVICE_STATE_STARTING);
  g_assert_nonnull (strstr (message, "1"));
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (co2s_compose_container_state (g_ptr_array_index (a, 2), TRUE, &message), ==, CO2S_SERVICE_STATE_FAILED);
  g_assert_nonnull (strstr (message, "137"));
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (co2s_compose_container_state (g_ptr_array_index (a, 2), FALSE, NULL), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_cmpint (co2s_compose_container_state (NULL, FALSE, NULL), ==, CO2S_SERVICE_STATE_STOPPED);
  g_assert_cmpint (co2s_compose_container_state (NULL, TRUE, NULL), ==, CO2S_SERVICE_STATE_STARTING);

  /* Error summaries: the daemon line wins, else the last line. */
  summary = co2s_compose_summarize_error ("Client:\n Context: default\n"
                                          "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"
                                          "\n");
  g_assert_true (g_str_has_prefix (summary, "Cannot connect to the Docker daemon"));
  summary2 = co2s_compose_summarize_error (traceback);
  g_assert_true (g_str_has_prefix (summary2, "docker.errors.DockerException: "));
  g_assert_true (co2s_compose_is_daemon_error (traceback));
  g_assert_true (co2s_compose_is_daemon_error (summary));
  g_assert_false (co2s_compose_is_daemon_error ("no such service: kafka"));
  g_assert_false (co2s_compose_is_daemon_error (NULL));
}

/* ---- /supervisor/compose/ps-parsing: the whole backend, fake docker ----- */

static gboolean
states_applied (gpointer data)
{
  Fixture *f = data;

  return co2s_service_get_state (svc (f, CO2S_SERVICE_BROKER)) == CO2S_SERVICE_STATE_RUNNING &&
         g_strcmp0 (co2s_service_get_health (svc (f, CO2S_SERVICE_BROKER)), "healthy") == 0 &&
         co2s_service_get_state (svc (f, CO2S_SERVICE_API)) == CO2S_SERVICE_STATE_UNHEALTHY &&
         co2s_service_get_state (svc (f, CO2S_SERVICE_TRAINER)) == CO2S_SERVICE_STATE_RUNNING &&
         co2s_service_get_state (svc (f, CO2S_SERVICE_PRODUCER)) == CO2S_SERVICE_STATE_FAILED;
}

static gboolean
logs_followed (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (co2s_service_get_last_line (svc (f, CO2S_SERVICE_API)), "hello from api") == 0 &&
         g_strcmp0 (co2s_service_get_last_line (svc (f, CO2S_SERVICE_BROKER)), "hello from kafka") == 0;
}

static gboolean
trainer_restart_seen (gpointer data)
{
  Fixture *f = data;

  return co2s_service_get_restart_count (svc (f, CO2S_SERVICE_TRAINER)) == 1 &&
         co2s_service_get_state (svc (f, CO2S_SERVICE_TRAINER)) == CO2S_SERVICE_STATE_STARTING;
}

/* After Stop: stopped, except the producer whose failure stays visible. */
static gboolean
all_stopped (gpointer data)
{
  Fixture *f = data;

  for (guint i = 0; i < CO2S_SERVICE_PRODUCER; i++)
    if (co2s_service_get_state (svc (f, i)) != CO2S_SERVICE_STATE_STOPPED)
      return FALSE;
  return co2s_service_get_state (svc (f, CO2S_SERVICE_PRODUCER)) == CO2S_SERVICE_STATE_FAILED;
}

static void
write_ps (Fixture *f,
          const char *trainer_state)
{
  g_autofree char *text = g_strdup_printf (
    "{\"Service\":\"kafka\",\"State\":\"running\",\"Health\":\"healthy\",\"ExitCode\":0}\n"
    "{\"Service\":\"api\",\"State\":\"running\",\"Health\":\"unhealthy\",\"ExitCode\":0}\n"
    "{\"Service\":\"trainer\",\"State\":\"%s\",\"Health\":\"\",\"ExitCode\":1}\n"
    "{\"Service\":\"producer\",\"State\":\"exited\",\"Health\":\"\",\"ExitCode\":1}\n",
    trainer_state);
  g_autofree char *tmp = g_strconcat (f->ps_file, ".new", NULL);

  /* Atomic: a poll never sees half a file. */
  g_assert_true (g_file_set_contents (tmp, text, -1, NULL));
  g_assert_cmpint (g_rename (tmp, f->ps_file), ==, 0);
}

static void
test_ps_parsing (Fixture *f,
                 gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ups = NULL;
  g_autoptr(GPtrArray) stops = NULL;
  g_autoptr(GPtrArray) followers = NULL;
  g_autofree char *abs_file = g_canonicalize_filename (f->compose_file, NULL);
  static const char *compose_names[] = { "kafka", "api", "trainer", "producer" };

  test_parse ();

  write_script (f->bin, "docker", fake_docker);
  write_ps (f, "running");

  g_assert_true (start (f, &error));
  g_assert_no_error (error);
  g_assert_true (co2s_supervisor_get_active (f->sup));
  g_assert_cmpstr (co2s_supervisor_get_bootstrap_servers (f->sup), ==, "localhost:9092");

  /* up -d, one service at a time, in dependency order. */
  ups = calls_with_prefix (f, "docker compose -f ");
  {
    guint k = 0;

    for (guint i = 0; i < ups->len; i++)
      if (strstr (g_ptr_array_index (ups, i), " up -d ") != NULL)
        {
          g_autofree char *expect = NULL;

          g_assert_cmpuint (k, <, CO2S_N_SERVICES);
          expect = g_strdup_printf ("%s up -d %s", abs_file, compose_names[k]);
          g_assert_cmpstr (g_ptr_array_index (ups, i), ==, expect);
          k++;
        }
    g_assert_cmpuint (k, ==, CO2S_N_SERVICES);
  }

  /* ps → state and health of every service; logs → the log. */
  co2s_test_assert_wait_msg (states_applied, f, DEADLINE_MS, "the ps states to be applied");
  g_assert_nonnull (strstr (co2s_service_get_message (svc (f, CO2S_SERVICE_PRODUCER)), "1"));
  co2s_test_assert_wait_msg (logs_followed, f, DEADLINE_MS, "the followed log lines");

  /* A container Docker restarts counts as a restart. */
  write_ps (f, "restarting");
  co2s_test_assert_wait_msg (trainer_restart_seen, f, DEADLINE_MS, "the trainer restart");

  followers = calls_with_prefix (f, "follower ");
  g_assert_cmpuint (followers->len, >=, 3);

  /* stop, in reverse order, with the stop timeout; followers end. */
  g_assert_true (g_file_set_contents (f->ps_file, "", -1, NULL));
  stop_ok (f);
  stops = calls_with_prefix (f, "docker compose -f ");
  {
    guint k = CO2S_N_SERVICES;

    for (guint i = 0; i < stops->len; i++)
      if (strstr (g_ptr_array_index (stops, i), " stop ") != NULL)
        {
          g_autofree char *expect = NULL;

          g_assert_cmpuint (k, >, 0);
          k--;
          expect = g_strdup_printf ("%s stop -t 5 %s", abs_file, compose_names[k]);
          g_assert_cmpstr (g_ptr_array_index (stops, i), ==, expect);
        }
    g_assert_cmpuint (k, ==, 0);
  }
  for (guint i = 0; i < followers->len; i++)
    {
      GPid pid = (GPid) g_ascii_strtoll (g_ptr_array_index (followers, i), NULL, 10);

      g_assert_true (co2s_test_pid_gone (pid));
    }
  co2s_test_assert_wait_msg (all_stopped, f, DEADLINE_MS, "every service to show stopped");
  g_assert_false (co2s_supervisor_get_active (f->sup));
}

/* ---- /supervisor/compose/v1-fallback ------------------------------------ */

static gboolean
v1_states_applied (gpointer data)
{
  Fixture *f = data;

  return co2s_service_get_state (svc (f, CO2S_SERVICE_BROKER)) == CO2S_SERVICE_STATE_STARTING &&
         g_strcmp0 (co2s_service_get_health (svc (f, CO2S_SERVICE_BROKER)), "starting") == 0 &&
         co2s_service_get_state (svc (f, CO2S_SERVICE_TRAINER)) == CO2S_SERVICE_STATE_FAILED &&
         co2s_service_get_state (svc (f, CO2S_SERVICE_API)) == CO2S_SERVICE_STATE_STARTING;
}

static void
test_v1_fallback (Fixture *f,
                  gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) v1_calls = NULL;
  g_autoptr(GPtrArray) inspects = NULL;
  g_autofree char *abs_file = g_canonicalize_filename (f->compose_file, NULL);
  g_autofree char *expect_up = g_strdup_printf ("-f %s up -d kafka", abs_file);

  write_script (f->bin, "docker", fake_docker);
  write_script (f->bin, "docker-compose", fake_docker_compose);
  g_setenv ("FAKE_DOCKER_MODE", "v1", TRUE);
  g_assert_true (g_file_set_contents (f->inspect_file,
    "[{\"Id\":\"aaa111\",\"State\":{\"Status\":\"running\",\"ExitCode\":0,\"Health\":{\"Status\":\"starting\"}},"
    "  \"Config\":{\"Labels\":{\"com.docker.compose.service\":\"kafka\"}}},"
    " {\"Id\":\"bbb222\",\"State\":{\"Status\":\"exited\",\"ExitCode\":3},"
    "  \"Config\":{\"Labels\":{\"com.docker.compose.service\":\"trainer\"}}}]", -1, NULL));

  g_assert_true (start (f, &error));
  g_assert_no_error (error);
  co2s_test_assert_wait_msg (v1_states_applied, f, DEADLINE_MS, "the v1 states");
  g_assert_nonnull (strstr (co2s_service_get_message (svc (f, CO2S_SERVICE_TRAINER)), "3"));

  v1_calls = calls_with_prefix (f, "docker-compose ");
  g_assert_cmpuint (v1_calls->len, >=, 5);
  g_assert_cmpstr (g_ptr_array_index (v1_calls, 0), ==, expect_up);
  inspects = calls_with_prefix (f, "docker inspect ");
  g_assert_cmpuint (inspects->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (inspects, 0), ==, "aaa111 bbb222");

  stop_ok (f);
  g_assert_false (co2s_supervisor_get_active (f->sup));
}

/* ---- /supervisor/compose/crash-loop ------------------------------------- */

typedef struct
{
  Fixture *f;
  guint restarts;
  Co2sServiceState state;
} TrainerWait;

static gboolean
trainer_is (gpointer data)
{
  TrainerWait *w = data;

  return co2s_service_get_restart_count (svc (w->f, CO2S_SERVICE_TRAINER)) == w->restarts &&
         co2s_service_get_state (svc (w->f, CO2S_SERVICE_TRAINER)) == w->state;
}

static void
wait_trainer (Fixture *f,
              guint restarts,
              Co2sServiceState state)
{
  TrainerWait w = { f, restarts, state };
  g_autofree char *what = g_strdup_printf ("the trainer with %u restarts in state %d", restarts, state);

  co2s_test_assert_wait_msg (trainer_is, &w, DEADLINE_MS, what);
}

typedef struct
{
  Fixture *f;
  guint n;
} CallsWait;

static gboolean
more_calls (gpointer data)
{
  CallsWait *w = data;
  g_autoptr(GPtrArray) calls = calls_with_prefix (w->f, "docker compose -f ");

  return calls->len >= w->n;
}

/* A container that keeps restarting shows FAILED, "restarting repeatedly",
 * even while it is up between two restarts: seen through `ps` states
 * (compose v2, no restart count) and through inspect's RestartCount. */
static void
test_crash_loop (Fixture *f,
                 gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  const char *message;

  write_script (f->bin, "docker", fake_docker);
  write_ps (f, "running");
  g_assert_true (start (f, &error));
  g_assert_no_error (error);
  co2s_test_assert_wait_msg (states_applied, f, DEADLINE_MS, "the ps states to be applied");

  /* Two restarts: still only restarting. */
  for (guint i = 1; i <= 2; i++)
    {
      write_ps (f, "restarting");
      wait_trainer (f, i, CO2S_SERVICE_STATE_STARTING);
      write_ps (f, "running");
      wait_trainer (f, i, CO2S_SERVICE_STATE_RUNNING);
    }
  /* The third within a minute: a crash loop, up or not. */
  write_ps (f, "restarting");
  wait_trainer (f, 3, CO2S_SERVICE_STATE_FAILED);
  message = co2s_service_get_message (svc (f, CO2S_SERVICE_TRAINER));
  g_assert_true (g_str_has_prefix (message, "Restarting repeatedly (3 restarts in "));
  write_ps (f, "running");
  /* Still FAILED after more polls of a running container. */
  {
    g_autoptr(GPtrArray) before = calls_with_prefix (f, "docker compose -f ");
    CallsWait w = { f, before->len + 4 };

    co2s_test_assert_wait_msg (more_calls, &w, DEADLINE_MS, "four more polls");
  }
  g_assert_cmpint (co2s_service_get_state (svc (f, CO2S_SERVICE_TRAINER)), ==, CO2S_SERVICE_STATE_FAILED);
  /* The other services are unaffected. */
  g_assert_cmpint (co2s_service_get_state (svc (f, CO2S_SERVICE_BROKER)), ==, CO2S_SERVICE_STATE_RUNNING);
  stop_ok (f);

  /* docker-compose v1: docker inspect's RestartCount jumping by 5 between
   * two polls is a crash loop too. */
  write_script (f->bin, "docker-compose", fake_docker_compose);
  g_setenv ("FAKE_DOCKER_MODE", "v1", TRUE);
  g_assert_true (g_file_set_contents (f->inspect_file,
    "[{\"Id\":\"bbb222\",\"RestartCount\":2,\"State\":{\"Status\":\"running\",\"ExitCode\":0},"
    "  \"Config\":{\"Labels\":{\"com.docker.compose.service\":\"trainer\"}}}]", -1, NULL));
  g_assert_true (start (f, &error));
  g_assert_no_error (error);
  wait_trainer (f, 0, CO2S_SERVICE_STATE_RUNNING);
  g_assert_true (g_file_set_contents (f->inspect_file,
    "[{\"Id\":\"bbb222\",\"RestartCount\":7,\"State\":{\"Status\":\"running\",\"ExitCode\":0},"
    "  \"Config\":{\"Labels\":{\"com.docker.compose.service\":\"trainer\"}}}]", -1, NULL));
  wait_trainer (f, 5, CO2S_SERVICE_STATE_FAILED);
  message = co2s_service_get_message (svc (f, CO2S_SERVICE_TRAINER));
  g_assert_true (g_str_has_prefix (message, "Restarting repeatedly (5 restarts in "));
  stop_ok (f);
}

/* ---- /supervisor/compose/podman-compose --------------------------------- */

static gboolean
podman_states_applied (gpointer data)
{
  Fixture *f = data;

  return co2s_service_get_state (svc (f, CO2S_SERVICE_BROKER)) == CO2S_SERVICE_STATE_RUNNING &&
         g_strcmp0 (co2s_service_get_last_line (svc (f, CO2S_SERVICE_BROKER)), "podman hello from kafka") == 0;
}

/* No docker, no docker-compose: podman-compose, states from podman inspect,
 * DOCKER_HOST passed through. */
static void
test_podman_compose (Fixture *f,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GPtrArray) inspects = NULL;
  g_autofree char *abs_file = g_canonicalize_filename (f->compose_file, NULL);
  g_autofree char *expect_up = g_strdup_printf ("-f %s up -d kafka", abs_file);

  write_script (f->bin, "podman-compose", fake_podman_compose);
  write_script (f->bin, "podman", fake_podman);
  g_setenv ("DOCKER_HOST", "unix:///run/user/1000/podman/podman.sock", TRUE);
  g_assert_true (g_file_set_contents (f->inspect_file,
    "[{\"Id\":\"aaa111\",\"RestartCount\":0,\"State\":{\"Status\":\"running\",\"ExitCode\":0},"
    "  \"Config\":{\"Labels\":{\"com.docker.compose.service\":\"kafka\"}}}]", -1, NULL));

  g_assert_true (start (f, &error));
  g_assert_no_error (error);
  co2s_test_assert_wait_msg (podman_states_applied, f, DEADLINE_MS, "the podman states");

  calls = calls_with_prefix (f, "podman-compose ");
  g_assert_cmpuint (calls->len, >=, 2);
  g_assert_cmpstr (g_ptr_array_index (calls, 0), ==, expect_up);
  hosts = calls_with_prefix (f, "host ");
  g_assert_cmpuint (hosts->len, >=, 1);
  for (guint i = 0; i < hosts->len; i++)
    g_assert_cmpstr (g_ptr_array_index (hosts, i), ==, "unix:///run/user/1000/podman/podman.sock");
  inspects = calls_with_prefix (f, "podman inspect ");
  g_assert_cmpuint (inspects->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (inspects, 0), ==, "aaa111");

  stop_ok (f);
  g_unsetenv ("DOCKER_HOST");
}

/* ---- /supervisor/compose/docker-missing --------------------------------- */

static void
assert_all_failed_with (Fixture *f,
                        const char *message)
{
  for (guint i = 0; i < CO2S_N_SERVICES; i++)
    {
      g_assert_cmpint (co2s_service_get_state (svc (f, i)), ==, CO2S_SERVICE_STATE_FAILED);
      g_assert_cmpstr (co2s_service_get_message (svc (f, i)), ==, message);
    }
}

static void
test_docker_missing (Fixture *f,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  g_setenv ("PATH", "", TRUE);

  g_assert_false (start (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "Docker is not installed"));
  assert_all_failed_with (f, error->message);
  g_assert_false (co2s_supervisor_get_active (f->sup));
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);

  /* The plugin missing and no docker-compose: a different message. */
  g_clear_error (&error);
  g_setenv ("PATH", f->bin, TRUE);
  g_setenv ("FAKE_DOCKER_MODE", "v1", TRUE);
  write_script (f->bin, "docker", fake_docker);
  g_assert_false (start (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "Docker Compose is not installed"));
  assert_all_failed_with (f, error->message);

  /* Stop after a failed start: nothing to do, failures stay visible. */
  stop_ok (f);
  assert_all_failed_with (f, error->message);
}

/* ---- /supervisor/compose/daemon-unreachable ----------------------------- */

static void
test_daemon_unreachable (Fixture *f,
                         gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hangs = NULL;
  g_autoptr(GPtrArray) ups = NULL;
  g_autofree char *docker = g_build_filename (f->bin, "docker", NULL);
  gint64 t0;

  write_script (f->bin, "docker", fake_docker);
  g_setenv ("FAKE_DOCKER_MODE", "daemon-down", TRUE);

  g_assert_false (start (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_cmpstr (error->message, ==,
                   "The Docker daemon is not reachable: Cannot connect to the Docker daemon at "
                   "unix:///var/run/docker.sock. Is the docker daemon running?");
  assert_all_failed_with (f, error->message);
  g_assert_false (co2s_supervisor_get_active (f->sup));
  ups = calls_with_prefix (f, "docker compose -f ");
  g_assert_cmpuint (ups->len, ==, 0);   /* it did not try to start anything */

  /* A daemon that never answers: the call's deadline ends it. */
  g_clear_error (&error);
  g_setenv ("FAKE_DOCKER_MODE", "hang", TRUE);
  g_object_set (f->sup, "docker-timeout", 300, NULL);
  t0 = g_get_monotonic_time ();
  g_assert_false (start (f, &error));
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 300 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 3 * G_USEC_PER_SEC);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_true (g_str_has_prefix (error->message, "The Docker daemon is not reachable: no answer within 1 s"));
  assert_all_failed_with (f, error->message);

  hangs = calls_with_prefix (f, "hang ");
  g_assert_cmpuint (hangs->len, ==, 1);
  g_assert_true (co2s_test_pid_gone ((GPid) g_ascii_strtoll (g_ptr_array_index (hangs, 0), NULL, 10)));

  /* docker-compose v1 alone (no docker CLI to ask first): its first call
   * tells, in Python. */
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (docker), ==, 0);
  write_script (f->bin, "docker-compose", fake_docker_compose);
  g_setenv ("FAKE_DOCKER_MODE", "v1-down", TRUE);
  g_assert_false (start (f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_true (g_str_has_prefix (error->message, "The Docker daemon is not reachable: docker.errors.DockerException: "));
  assert_all_failed_with (f, error->message);
  g_assert_false (co2s_supervisor_get_active (f->sup));
}

/* The compose file publishes Kafka and the API on CO2S_KAFKA_PORT and
 * CO2S_API_PORT when they are set (the Compose calls inherit them): the
 * plot and the API's address follow them; not a port: the defaults. */
static void
test_ports_from_env (Fixture *f,
                     gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  write_script (f->bin, "docker", fake_docker);
  write_ps (f, "running");
  g_setenv ("CO2S_KAFKA_PORT", "19093", TRUE);
  g_setenv ("CO2S_API_PORT", "18001", TRUE);
  g_assert_true (start (f, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (co2s_supervisor_get_bootstrap_servers (f->sup), ==, "localhost:19093");
  g_assert_cmpstr (co2s_supervisor_get_api_url (f->sup), ==, "http://127.0.0.1:18001");
  stop_ok (f);

  g_setenv ("CO2S_KAFKA_PORT", "ninety", TRUE);
  g_setenv ("CO2S_API_PORT", "70000", TRUE);
  g_assert_true (start (f, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (co2s_supervisor_get_bootstrap_servers (f->sup), ==, "localhost:9092");
  g_assert_cmpstr (co2s_supervisor_get_api_url (f->sup), ==, "http://127.0.0.1:8000");
  stop_ok (f);
  g_unsetenv ("CO2S_KAFKA_PORT");
  g_unsetenv ("CO2S_API_PORT");
}

/* The models the settings choose reach the compose file's trainer as
 * CO2S_ALGO (docker-compose.yml: --algo ${CO2S_ALGO:-ls}), in every up. */
static void
test_models_to_compose (Fixture *f,
                        gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ups = NULL;

  write_script (f->bin, "docker", fake_docker);
  write_ps (f, "running");
  g_object_set (f->sup, "algo", "ls,ls:fuel,sgd", NULL);
  g_assert_true (start (f, &error));
  g_assert_no_error (error);
  ups = calls_with_prefix (f, "up ");
  g_assert_cmpuint (ups->len, ==, CO2S_N_SERVICES);
  for (guint i = 0; i < ups->len; i++)
    g_assert_true (g_str_has_suffix (g_ptr_array_index (ups, i), " CO2S_ALGO=ls,ls:fuel,sgd"));
  stop_ok (f);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/supervisor/compose/ps-parsing", test_ps_parsing);
  ADD ("/supervisor/compose/v1-fallback", test_v1_fallback);
  ADD ("/supervisor/compose/crash-loop", test_crash_loop);
  ADD ("/supervisor/compose/podman-compose", test_podman_compose);
  ADD ("/supervisor/compose/ports-from-env", test_ports_from_env);
  ADD ("/supervisor/compose/models-to-compose", test_models_to_compose);
  ADD ("/supervisor/compose/docker-missing", test_docker_missing);
  ADD ("/supervisor/compose/daemon-unreachable", test_daemon_unreachable);

  return g_test_run ();
}
