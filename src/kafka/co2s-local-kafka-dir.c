/* co2s-local-kafka-dir.c — the data folder's lock and pid files, a Kafka
 * left running by an earlier launcher, the two loopback ports and
 * server.properties. */
#define G_LOG_DOMAIN "co2s-local-kafka"

#include "co2s-local-kafka.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define MiB ((gint64) 1024 * 1024)
#define HOLDER_READ_TRIES 20
#define HOLDER_READ_PAUSE_US (25 * 1000)
#define GONE_POLL_US (50 * 1000)
#define KILL_WAIT_MS 10000

/* ---- lock -------------------------------------------------------------------- */

struct _Co2sLocalKafkaLock {
  int fd;
};

/* The pid written in a lock file ("pid=N"), 0 when it holds none. */
static GPid
parse_pid_text (const char *text)
{
  g_autofree char *copy = g_strdup (text);
  const char *value = g_strstrip (copy);
  guint64 pid = 0;

  if (g_str_has_prefix (value, "pid="))
    value += 4;
  if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT32, &pid, NULL))
    return 0;
  return (GPid) pid;
}

/* The holder writes its pid right after it took the lock: a refused
 * process may look in between, so it rereads for a moment. */
static GPid
read_holder (int fd)
{
  for (guint i = 0; i < HOLDER_READ_TRIES; i++)
    {
      char buf[64] = { 0 };
      gssize n = pread (fd, buf, sizeof buf - 1, 0);
      GPid pid = n > 0 ? parse_pid_text (buf) : 0;

      if (pid > 0)
        return pid;
      g_usleep (HOLDER_READ_PAUSE_US);
    }
  return 0;
}

Co2sLocalKafkaLock *
co2s_local_kafka_lock_acquire (const char *dir, GPid *holder, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  Co2sLocalKafkaLock *lock;
  int fd;

  g_return_val_if_fail (dir != NULL, NULL);

  if (holder != NULL)
    *holder = 0;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot create the data folder %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  path = g_build_filename (dir, CO2S_LOCAL_KAFKA_LOCK_FILE, NULL);
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot open %s: %s"),
                   path, g_strerror (saved));
      return NULL;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      GPid pid = saved == EWOULDBLOCK ? read_holder (fd) : 0;

      close (fd);
      if (saved != EWOULDBLOCK)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot lock %s: %s"),
                       path, g_strerror (saved));
          return NULL;
        }
      if (holder != NULL)
        *holder = pid;
      if (pid > 0)
        g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_LOCKED,
                     _("another co2stream-kafka (pid %d) already runs Kafka from %s: stop it first, "
                       "or choose another data folder"), (int) pid, dir);
      else
        g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_LOCKED,
                     _("another co2stream-kafka already runs Kafka from %s: stop it first, "
                       "or choose another data folder"), dir);
      return NULL;
    }

  text = g_strdup_printf ("pid=%d\n", (int) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, text, strlen (text), 0) != (gssize) strlen (text))
    g_debug ("cannot write the pid into %s: %s", path, g_strerror (errno));

  lock = g_new0 (Co2sLocalKafkaLock, 1);
  lock->fd = fd;
  return lock;
}

void
co2s_local_kafka_lock_free (Co2sLocalKafkaLock *lock)
{
  if (lock == NULL)
    return;
  /* Closing releases the flock; the file stays (removing it would let a
   * third process lock a new inode while a second one waits). */
  if (ftruncate (lock->fd, 0) != 0)
    g_debug ("cannot clear the lock file: %s", g_strerror (errno));
  close (lock->fd);
  g_free (lock);
}

/* ---- processes --------------------------------------------------------------- */

/* TRUE when @pid no longer runs (gone, or a zombie nobody reaped yet). */
static gboolean
pid_gone (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  end = strrchr (stat, ')');
  return end == NULL || (end[1] == ' ' && end[2] == 'Z');
}

GPid
co2s_local_kafka_find_stale (const char *dir)
{
  g_autofree char *pid_path = g_build_filename (dir, CO2S_LOCAL_KAFKA_PID_FILE, NULL);
  g_autofree char *properties = g_build_filename (dir, CO2S_LOCAL_KAFKA_PROPERTIES_FILE, NULL);
  g_autofree char *text = NULL;
  g_autofree char *cmdline_path = NULL;
  g_autofree char *cmdline = NULL;
  gsize len = 0;
  GPid pid;

  g_return_val_if_fail (dir != NULL, 0);

  if (!g_file_get_contents (pid_path, &text, NULL, NULL))
    return 0;
  pid = parse_pid_text (text);
  if (pid <= 0 || pid == getpid () || pid_gone (pid))
    return 0;
  /* A pid file outlives its process; the number may now be another
   * program's. Only a java with our properties file counts. */
  cmdline_path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  if (!g_file_get_contents (cmdline_path, &cmdline, &len, NULL))
    return 0;
  for (gsize at = 0; at < len; at += strlen (cmdline + at) + 1)
    if (strcmp (cmdline + at, properties) == 0)
      return pid;
  return 0;
}

/* Waits up to @timeout_ms for @pid to be gone; FALSE at the deadline or
 * when @cancellable fires. */
static gboolean
wait_gone (GPid pid, guint timeout_ms, GCancellable *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!pid_gone (pid))
    {
      if (g_get_monotonic_time () >= deadline || g_cancellable_is_cancelled (cancellable))
        return FALSE;
      g_usleep (GONE_POLL_US);
    }
  return TRUE;
}

gboolean
co2s_local_kafka_terminate_pid (GPid pid, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (pid > 0, FALSE);

  if (kill (pid, SIGTERM) != 0 && errno != ESRCH)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot stop the Kafka of an earlier run (pid %d): %s"), (int) pid,
                   g_strerror (saved));
      return FALSE;
    }
  if (wait_gone (pid, timeout_ms, cancellable))
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_debug ("pid %d ignored SIGTERM for %u ms; sending SIGKILL", (int) pid, timeout_ms);
  kill (pid, SIGKILL);
  if (wait_gone (pid, KILL_WAIT_MS, NULL))
    return TRUE;
  g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_FAILED,
               _("the Kafka of an earlier run (pid %d) survived SIGKILL: end it (kill -9 %d) and "
                 "start again"), (int) pid, (int) pid);
  return FALSE;
}

gboolean
co2s_local_kafka_write_pid (const char *dir, GPid pid, GError **error)
{
  g_autofree char *path = g_build_filename (dir, CO2S_LOCAL_KAFKA_PID_FILE, NULL);
  g_autofree char *text = NULL;

  if (pid <= 0)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("cannot delete %s: %s"),
                       path, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }
  text = g_strdup_printf ("%d\n", (int) pid);
  return g_file_set_contents (path, text, -1, error);
}

/* ---- ports ------------------------------------------------------------------- */

/* The inode of the socket listening on 127.0.0.1:@port or *:@port (from
 * /proc/net/tcp), or 0. */
static guint64
listening_inode (guint16 port)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *loopback = g_strdup_printf ("0100007F:%04X", port);
  g_autofree char *any = g_strdup_printf ("00000000:%04X", port);

  if (!g_file_get_contents ("/proc/net/tcp", &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      guint64 inode = 0;

      for (guint k = 0; f[k] != NULL; k++)
        if (*f[k] != '\0')
          g_ptr_array_add (fields, f[k]);
      /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
      if (fields->len < 10 || strcmp (g_ptr_array_index (fields, 3), "0A") != 0)
        continue;
      if (strcmp (g_ptr_array_index (fields, 1), loopback) != 0 &&
          strcmp (g_ptr_array_index (fields, 1), any) != 0)
        continue;
      if (g_ascii_string_to_unsigned (g_ptr_array_index (fields, 9), 10, 1, G_MAXUINT64, &inode, NULL))
        return inode;
    }
  return 0;
}

/* "pid N, NAME" of the process listening on @port, when this user can see
 * it; else NULL. */
static char *
port_holder (guint16 port)
{
  guint64 inode = listening_inode (port);
  g_autofree char *target = NULL;
  g_autoptr(GDir) proc = NULL;
  const char *name;

  if (inode == 0 || (proc = g_dir_open ("/proc", 0, NULL)) == NULL)
    return NULL;
  target = g_strdup_printf ("socket:[%" G_GUINT64_FORMAT "]", inode);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *fd_dir = g_build_filename ("/proc", name, "fd", NULL);
      g_autoptr(GDir) fds = NULL;
      const char *fd;

      if (!g_ascii_isdigit (name[0]) || (fds = g_dir_open (fd_dir, 0, NULL)) == NULL)
        continue;
      while ((fd = g_dir_read_name (fds)) != NULL)
        {
          g_autofree char *link_path = g_build_filename (fd_dir, fd, NULL);
          g_autofree char *link = g_file_read_link (link_path, NULL);

          if (g_strcmp0 (link, target) == 0)
            {
              g_autofree char *comm_path = g_build_filename ("/proc", name, "comm", NULL);
              g_autofree char *comm = NULL;

              if (!g_file_get_contents (comm_path, &comm, NULL, NULL))
                comm = g_strdup ("?");
              return g_strdup_printf ("pid %s, %s", name, g_strstrip (comm));
            }
        }
    }
  return NULL;
}

gboolean
co2s_local_kafka_check_port (guint16 *port, guint16 avoid, const char *option, GError **error)
{
  g_return_val_if_fail (port != NULL && option != NULL, FALSE);

  for (guint attempt = 0; attempt < 10; attempt++)
    {
      g_autoptr(GSocket) socket = NULL;
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, *port);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GError) local_error = NULL;
      guint16 got;

      socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
      if (socket == NULL)
        return FALSE;
      /* SO_REUSEADDR, as Kafka's own listener: connections of an earlier
       * run in TIME_WAIT do not count; a listener does. */
      if (!g_socket_bind (socket, address, TRUE, &local_error) ||
          !g_socket_listen (socket, &local_error))
        {
          g_autofree char *holder = NULL;

          if (*port == 0 || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot listen on 127.0.0.1:%u: %s"),
                           *port, local_error->message);
              return FALSE;
            }
          holder = port_holder (*port);
          if (holder == NULL)
            holder = g_strdup (_("another program"));
          if (strcmp (option, "--port") == 0)
            g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_PORT,
                         _("port %u on 127.0.0.1 is in use (%s): choose another port (--port, or the "
                           "app's Preferences) or stop the program that holds it"), *port, holder);
          else
            g_set_error (error, CO2S_LOCAL_KAFKA_ERROR, CO2S_LOCAL_KAFKA_ERROR_PORT,
                         _("port %u on 127.0.0.1 is in use (%s): choose another %s (0 picks a free "
                           "one) or stop the program that holds it"), *port, holder, option);
          return FALSE;
        }
      if (*port != 0)
        return TRUE;
      bound = g_socket_get_local_address (socket, error);
      if (bound == NULL)
        return FALSE;
      got = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      if (got != avoid)
        {
          *port = got;
          return TRUE;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("found no free port on 127.0.0.1"));
  return FALSE;
}

/* ---- server.properties ------------------------------------------------------- */

/* @value as a Java properties value: Properties.load reads ISO-8859-1 and
 * takes a backslash for an escape, so a backslash is doubled and anything
 * beyond ASCII ("/home/josé/…") goes in as backslash-u escapes of its
 * UTF-16 units. */
static char *
properties_escape (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c < 0x80)
        g_string_append_c (out, (char) c);
      else if (c <= 0xFFFF)
        g_string_append_printf (out, "\\u%04X", c);
      else
        g_string_append_printf (out, "\\u%04X\\u%04X", 0xD800 + ((c - 0x10000) >> 10),
                                0xDC00 + ((c - 0x10000) & 0x3FF));
    }
  return g_string_free (out, FALSE);
}

gint64
co2s_local_kafka_segment_bytes (gint64 retention_bytes)
{
  return CLAMP (retention_bytes / 8, 1 * MiB, 256 * MiB);
}

char *
co2s_local_kafka_properties (const Co2sLocalKafkaConfig *config)
{
  g_autofree char *data = NULL;
  g_autofree char *log_dirs = NULL;

  g_return_val_if_fail (config != NULL && config->dir != NULL, NULL);

  data = g_build_filename (config->dir, CO2S_LOCAL_KAFKA_DATA_SUBDIR, NULL);
  log_dirs = properties_escape (config->log_dirs != NULL ? config->log_dirs : data);
  return g_strdup_printf (
    "# Written by co2stream-kafka at every start: edits here are lost.\n"
    "# One node, broker and controller in one process (KRaft), loopback only.\n"
    "process.roles=broker,controller\n"
    "node.id=1\n"
    /* Static voters (kraft.version 0): the controller's address is read from
     * here at each start, not from the log, so it may change between runs. */
    "controller.quorum.voters=1@127.0.0.1:%u\n"
    "controller.listener.names=CONTROLLER\n"
    "listeners=PLAINTEXT://127.0.0.1:%u,CONTROLLER://127.0.0.1:%u\n"
    "advertised.listeners=PLAINTEXT://127.0.0.1:%u\n"
    "inter.broker.listener.name=PLAINTEXT\n"
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
    "log.dirs=%s\n"
    "# Size-bounded retention only, per partition; segments small enough to prune.\n"
    "log.retention.bytes=%" G_GINT64_FORMAT "\n"
    "log.retention.hours=-1\n"
    "log.retention.ms=-1\n"
    "log.segment.bytes=%" G_GINT64_FORMAT "\n"
    "num.partitions=1\n"
    "default.replication.factor=1\n"
    "min.insync.replicas=1\n"
    "auto.create.topics.enable=true\n"
    "offsets.topic.replication.factor=1\n"
    "offsets.topic.num.partitions=1\n"
    "transaction.state.log.replication.factor=1\n"
    "transaction.state.log.min.isr=1\n"
    "transaction.state.log.num.partitions=1\n"
    "share.coordinator.state.topic.replication.factor=1\n"
    "share.coordinator.state.topic.min.isr=1\n"
    "share.coordinator.state.topic.num.partitions=1\n"
    "group.initial.rebalance.delay.ms=0\n"
    "# After a crash the broker cannot register again until the controller has\n"
    "# timed out its old session: 4 s instead of 9 s (same JVM, loopback).\n"
    "broker.heartbeat.interval.ms=1000\n"
    "broker.session.timeout.ms=4000\n"
    "# A desktop-sized broker: fewer threads, and an 8 MiB (not 128 MiB)\n"
    "# dedupe buffer for the compacted offsets topic.\n"
    "num.network.threads=2\n"
    "num.io.threads=2\n"
    "background.threads=2\n"
    "group.coordinator.threads=1\n"
    "log.cleaner.threads=1\n"
    "log.cleaner.dedupe.buffer.size=8388608\n",
    config->controller_port, config->port, config->controller_port, config->port, log_dirs,
    config->retention_bytes, co2s_local_kafka_segment_bytes (config->retention_bytes));
}
