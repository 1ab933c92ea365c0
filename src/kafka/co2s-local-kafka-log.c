/* co2s-local-kafka-log.c — why Kafka stopped, from its kafka.out. */
#define G_LOG_DOMAIN "co2s-local-kafka"

#include "co2s-local-kafka.h"

#include <string.h>

/* Longest line handed to a status row. */
#define MAX_LINE_CHARS 300

/* Words of Kafka's storage errors: a failure naming one of them is about
 * the data folder even when the folder's path is not in the line. */
static const char * const storage_words[] = {
  "meta.properties", "CorruptRecordException", "InconsistentClusterIdException",
  "KafkaStorageException", "LogDirNotFoundException", "InvalidOffsetException",
  "quorum-state", "leader-epoch-checkpoint", "partition.metadata", "bootstrap.checkpoint",
  "node ID not found", "log dirs", "log dir ", "checkpoint file",
};

/* TRUE for the lines of a Java stack trace after its first line. */
static gboolean
is_trace_line (const char *line)
{
  return g_ascii_isspace (line[0]) || g_str_has_prefix (line, "Caused by:") ||
         g_str_has_prefix (line, "Suppressed:") || g_str_has_prefix (line, "...");
}

/* "[2026-01-01 10:00:00,123] ERROR message (logger)" → TRUE with the
 * level's start in *@level. */
static gboolean
is_log_line (const char *line, const char **level)
{
  const char *end;

  if (line[0] != '[' || (end = strstr (line, "] ")) == NULL)
    return FALSE;
  *level = end + 2;
  return TRUE;
}

/* "java.io.UncheckedIOException: …" (an exception's first line). */
static gboolean
is_exception_line (const char *line)
{
  static gsize regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, (gsize) g_regex_new ("^([a-zA-Z_$][a-zA-Z0-9_$]*\\.)+"
                                                    "[A-Za-z0-9_$]*(Exception|Error|Throwable)(: |$)",
                                                    G_REGEX_OPTIMIZE, 0, NULL));
  return g_regex_match ((GRegex *) regex, line, 0, NULL);
}

/* TRUE when @line (an error) is about the storage in @data_dir. */
static gboolean
names_storage (const char *line, const char *data_dir)
{
  if (data_dir != NULL && strstr (line, data_dir) != NULL)
    return TRUE;
  for (guint k = 0; k < G_N_ELEMENTS (storage_words); k++)
    if (strstr (line, storage_words[k]) != NULL)
      return TRUE;
  return FALSE;
}

char *
co2s_kafka_log_shorten (const char *line)
{
  g_autoptr(GRegex) packages = g_regex_new ("\\b([a-z][a-z0-9_]*\\.)+(?=[A-Z][A-Za-z0-9_$]*(Exception|Error)\\b)",
                                            0, 0, NULL);
  g_autofree char *text = NULL;
  g_autofree char *shorter = NULL;
  const char *level;
  char *logger;

  g_return_val_if_fail (line != NULL, NULL);

  text = g_strdup (line);
  if (is_log_line (text, &level))
    {
      const char *message = strchr (level, ' ');
      char *rest = g_strdup (message != NULL ? message + 1 : level);

      g_free (text);
      text = rest;
      /* The trailing " (kafka.server.BrokerServer)". */
      logger = strrchr (text, '(');
      if (logger != NULL && logger > text && logger[-1] == ' ' && g_str_has_suffix (logger, ")") &&
          strchr (logger, ' ') == NULL)
        logger[-1] = '\0';
    }
  shorter = g_regex_replace (packages, g_strstrip (text), -1, 0, "", 0, NULL);
  if (shorter == NULL)
    shorter = g_strdup (text);
  if (g_utf8_strlen (shorter, -1) > MAX_LINE_CHARS)
    {
      char *cut = g_utf8_substring (shorter, 0, MAX_LINE_CHARS);

      g_free (shorter);
      shorter = g_strconcat (cut, "…", NULL);
      g_free (cut);
    }
  return g_steal_pointer (&shorter);
}

void
co2s_kafka_log_read_verdict (const char *out_path, const char *data_dir, Co2sKafkaLogVerdict *verdict)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *key = NULL;
  const char *last = NULL;

  g_return_if_fail (out_path != NULL && verdict != NULL);

  memset (verdict, 0, sizeof *verdict);
  if (!g_file_get_contents (out_path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *level;

      g_strchomp (lines[i]);
      if (*line == '\0')
        continue;
      if (!is_trace_line (line))
        last = line;
      if (strstr (line, "Address already in use") != NULL)
        verdict->port_taken = TRUE;
      if (is_log_line (line, &level) && (g_str_has_prefix (level, "ERROR ") || g_str_has_prefix (level, "FATAL ")))
        {
          verdict->damaged |= names_storage (line, data_dir);
          if (key == NULL)
            key = lines[i + 1] != NULL && is_exception_line (lines[i + 1]) ? lines[i + 1] : line;
        }
      else if (is_exception_line (line) || g_str_has_prefix (line, "Caused by:"))
        {
          verdict->damaged |= names_storage (line, data_dir);
          /* The format tool and a JVM that cannot start print no ERROR line. */
          if (key == NULL && is_exception_line (line))
            key = line;
        }
    }
  if (key == NULL)
    key = last;
  if (key != NULL)
    verdict->key_line = co2s_kafka_log_shorten (key);
}

void
co2s_kafka_log_verdict_clear (Co2sKafkaLogVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_clear_pointer (&verdict->key_line, g_free);
}

char *
co2s_kafka_log_last_line (const char *out_path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_return_val_if_fail (out_path != NULL, NULL);

  if (!g_file_get_contents (out_path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  while (n-- > 0)
    {
      g_strchomp (lines[n]);
      if (*lines[n] != '\0' && !is_trace_line (lines[n]))
        return co2s_kafka_log_shorten (lines[n]);
    }
  return NULL;
}
