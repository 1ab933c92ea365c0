/* fuzz-common.c — what the fuzz targets share; see fuzz-common.h. */
#define G_LOG_DOMAIN "fuzz"
#define _GNU_SOURCE

#include "fuzz-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *expected_domain;   /* NULL: no warning is expected */
static guint expected_count;

static gboolean
is_expected (const char *domain, GLogLevelFlags level)
{
  return expected_domain != NULL && (level & G_LOG_LEVEL_WARNING) != 0 &&
         g_strcmp0 (domain, expected_domain) == 0;
}

static void
log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if ((level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) != 0)
    return;
  if (is_expected (domain, level))
    {
      expected_count++;
      return;
    }
  g_log_default_handler (domain, level, message, data);
}

/* GLib asks whether a fatal (warning or critical) message aborts. */
static gboolean
fatal_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  return !is_expected (domain, level);
}

void
fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
  g_log_set_default_handler (log_handler, NULL);
  g_test_log_set_fatal_handler (fatal_handler, NULL);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

void
fuzz_fail (const char *format, ...)
{
  va_list args;

  fputs ("fuzz: ", stderr);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  fflush (stderr);
  abort ();
}

void
fuzz_expect_warnings (const char *domain)
{
  g_assert (expected_domain == NULL);
  expected_domain = domain;
  expected_count = 0;
  /* Again each time: GLib's test framework resets it before each test. */
  g_test_log_set_fatal_handler (fatal_handler, NULL);
}

guint
fuzz_expect_end (void)
{
  g_assert (expected_domain != NULL);
  expected_domain = NULL;
  return expected_count;
}

void
fuzz_check_utf8 (const char *text, gssize len, const char *what)
{
  const char *bad = NULL;

  if (!g_utf8_validate (text, len, &bad))
    {
      g_autofree char *shown = g_strescape (text, NULL);

      fuzz_fail ("%s: not valid UTF-8 at byte %td: \"%s\"", what, bad - text, shown);
    }
}

void
fuzz_check_error (const GError *error, const char *what)
{
  fuzz_check (error != NULL, "%s failed without an error", what);
  fuzz_check (error->message != NULL && error->message[0] != '\0',
              "%s failed with an empty message", what);
  fuzz_check_utf8 (error->message, -1, what);
}

const char *
fuzz_file_with (const uint8_t *data, size_t size)
{
  static int fd = -1;
  static char path[64];
  size_t done = 0;

  if (fd < 0)
    {
      fd = memfd_create ("co2s-fuzz-input", MFD_CLOEXEC);
      if (fd < 0)
        g_error ("memfd_create: %s", g_strerror (errno));
      g_snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
    }
  if (ftruncate (fd, 0) != 0)
    g_error ("ftruncate: %s", g_strerror (errno));
  while (done < size)
    {
      ssize_t n = pwrite (fd, data + done, size - done, (off_t) done);

      if (n <= 0)
        g_error ("pwrite: %s", g_strerror (errno));
      done += (size_t) n;
    }
  return path;
}

static char *tmpdir;

static void
remove_tmpdir (void)
{
  GDir *dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (tmpdir, name, NULL);

          g_unlink (path);
        }
      g_dir_close (dir);
    }
  g_rmdir (tmpdir);
}

const char *
fuzz_tmpdir (void)
{
  if (tmpdir == NULL)
    {
      g_autoptr(GError) error = NULL;

      tmpdir = g_dir_make_tmp ("co2s-fuzz-XXXXXX", &error);
      if (tmpdir == NULL)
        g_error ("temporary folder: %s", error->message);
      atexit (remove_tmpdir);
    }
  return tmpdir;
}

guint8
fuzz_bytes_u8 (FuzzBytes *b)
{
  return b->pos < b->size ? b->data[b->pos++] : 0;
}

guint16
fuzz_bytes_u16 (FuzzBytes *b)
{
  guint16 v = fuzz_bytes_u8 (b);

  return (guint16) (v << 8 | fuzz_bytes_u8 (b));
}

guint32
fuzz_bytes_u32 (FuzzBytes *b)
{
  guint32 v = fuzz_bytes_u16 (b);

  return v << 16 | fuzz_bytes_u16 (b);
}

guint64
fuzz_bytes_u64 (FuzzBytes *b)
{
  guint64 v = fuzz_bytes_u32 (b);

  return v << 32 | fuzz_bytes_u32 (b);
}

double
fuzz_bytes_double (FuzzBytes *b)
{
  guint64 bits = fuzz_bytes_u64 (b);
  double v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

gboolean
fuzz_same_double (double a, double b)
{
  if (isnan (a) || isnan (b))
    return isnan (a) && isnan (b);
  return memcmp (&a, &b, sizeof a) == 0;
}
