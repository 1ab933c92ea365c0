/* test-fuzz-replay.c — one fuzz target in the normal test suite (suite
 * "fuzz"), without clang or libFuzzer.
 *
 * Built once per target (meson.build: FUZZ_TARGET names it, FUZZ_DIR is
 * tests/fuzz in the source tree) and linked with that target's
 * LLVMFuzzerTestOneInput. It replays every seed (the files of
 * seeds/<target>/) and every committed crash reproducer (crashes/<target>/),
 * a fixed set of hostile inputs (deep nesting, huge numbers, long lines…),
 * then runs a deterministic mutation loop: bit flips, byte inserts and deletes,
 * splices of two inputs, dictionary tokens (<target>.dict), huge numbers
 * and deep nesting, from a seeded GRand (CO2S_FUZZ_SEED, default fixed),
 * CO2S_FUZZ_ITERATIONS inputs (default 2000).
 *
 * Each input runs under a watchdog (CO2S_FUZZ_WATCHDOG seconds, default
 * 10): an input that hangs, crashes or aborts (a failed check, a GLib
 * warning: G_DEBUG=fatal-warnings) ends the test with what happened, the
 * input's name, a hex dump of its first 1 KiB and the path of a file that
 * holds all of it — copy that file to crashes/<target>/ to keep it as a
 * reproducer. Reproducers named open-* are bugs not fixed yet: each must
 * still fail (strictly, CO2S_FUZZ_STRICT=1) in a subprocess, and the test
 * says when one passes. Given files as arguments, it runs only those
 * inputs.
 */
#define G_LOG_DOMAIN "test-fuzz-replay"

#include "fuzz-common.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef FUZZ_TARGET
# error "FUZZ_TARGET must name the target (see meson.build)"
#endif

#define MAX_INPUT_SIZE (1024 * 1024)
#define DUMP_BYTES 1024

/* ---- the input being run, for the signal handlers ------------------------- */

static const guint8 *current_data;
static gsize current_size;
static char current_name[256];
static char save_path[512];
static guint watchdog_seconds = 10;

/* Async-signal-safe output to stderr. */
static void
say (const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      ssize_t n = write (STDERR_FILENO, text, len);

      if (n <= 0)
        return;
      text += n;
      len -= (gsize) n;
    }
}

static void
say_number (gsize value)
{
  char buf[32];
  int i = sizeof buf - 1;

  buf[i] = '\0';
  do
    {
      buf[--i] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0 && i > 0);
  say (buf + i);
}

static void
say_hex_dump (const guint8 *data, gsize size)
{
  static const char hex[] = "0123456789abcdef";

  for (gsize line = 0; line < size; line += 16)
    {
      char buf[80];
      int n = 0;

      for (int shift = 20; shift >= 0; shift -= 4)
        buf[n++] = hex[(line >> shift) & 0xf];
      buf[n++] = ' ';
      for (gsize i = line; i < line + 16; i++)
        {
          buf[n++] = ' ';
          buf[n++] = i < size ? hex[data[i] >> 4] : ' ';
          buf[n++] = i < size ? hex[data[i] & 0xf] : ' ';
        }
      buf[n++] = ' ';
      buf[n++] = ' ';
      for (gsize i = line; i < line + 16 && i < size; i++)
        buf[n++] = data[i] >= 0x20 && data[i] < 0x7f ? (char) data[i] : '.';
      buf[n++] = '\n';
      buf[n] = '\0';
      say (buf);
    }
}

static void
dump_current (const char *what)
{
  int fd;

  if (current_data == NULL)
    return;
  say ("\n*** fuzz target " FUZZ_TARGET ": ");
  say (what);
  say (" on ");
  say (current_name);
  say (" (");
  say_number (current_size);
  say (" bytes)\n");
  say_hex_dump (current_data, MIN (current_size, (gsize) DUMP_BYTES));
  if (current_size > DUMP_BYTES)
    say ("...\n");
  fd = open (save_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0)
    {
      gsize done = 0;

      while (done < current_size)
        {
          ssize_t n = write (fd, current_data + done, current_size - done);

          if (n <= 0)
            break;
          done += (gsize) n;
        }
      close (fd);
      say ("*** the whole input is in ");
      say (save_path);
      say (" (to keep it: copy it to tests/fuzz/crashes/" FUZZ_TARGET "/)\n");
    }
}

static void
on_alarm (int sig)
{
  say ("\n*** watchdog: an input ran longer than ");
  say_number (watchdog_seconds);
  say (" s");
  dump_current ("hang");
  _exit (1);
}

static void
on_crash (int sig)
{
  dump_current (sig == SIGABRT ? "abort (a failed check or a fatal GLib message: see above)"
                : sig == SIGSEGV ? "SIGSEGV"
                : sig == SIGBUS ? "SIGBUS"
                : sig == SIGFPE ? "SIGFPE"
                : "SIGILL/SIGTRAP");
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
install_handlers (void)
{
  static guint8 alt_stack[256 * 1024];
  stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack };
  struct sigaction sa = { 0 };
  static const int crash_signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };

  /* A stack overflow (deep recursion) needs a stack of its own. */
  if (sigaltstack (&ss, NULL) != 0)
    g_error ("sigaltstack: %s", g_strerror (errno));
  sa.sa_handler = on_crash;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset (&sa.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (crash_signals); i++)
    sigaction (crash_signals[i], &sa, NULL);
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_ONSTACK;
  sigaction (SIGALRM, &sa, NULL);
}

/* Runs one input (copied to a buffer of exactly its size, so that an
 * AddressSanitizer build sees any read past its end) under the watchdog. */
static void
run_input (const guint8 *data, gsize size, const char *name_format, ...) G_GNUC_PRINTF (3, 4);

static void
run_input (const guint8 *data, gsize size, const char *name_format, ...)
{
  g_autofree guint8 *copy = g_malloc (MAX (size, 1));
  struct itimerval timer = { .it_value = { .tv_sec = watchdog_seconds } };
  struct itimerval off = { 0 };
  va_list args;

  if (size > 0)
    memcpy (copy, data, size);
  va_start (args, name_format);
  g_vsnprintf (current_name, sizeof current_name, name_format, args);
  va_end (args);
  current_data = copy;
  current_size = size;
  setitimer (ITIMER_REAL, &timer, NULL);
  LLVMFuzzerTestOneInput (copy, size);
  setitimer (ITIMER_REAL, &off, NULL);
  current_data = NULL;
}

/* ---- corpus ----------------------------------------------------------------- */

typedef struct {
  char *name;
  GBytes *bytes;
} Input;

static void
input_free (gpointer data)
{
  Input *input = data;

  g_free (input->name);
  g_bytes_unref (input->bytes);
  g_free (input);
}

static GPtrArray *seeds;      /* of Input: seeds/<target>/ */
static GPtrArray *crashes;    /* of Input: crashes/<target>/, fixed bugs */
static GPtrArray *open_bugs;  /* of Input: crashes/<target>/open-*: bugs not fixed yet */
static GPtrArray *tokens;     /* of GBytes: <target>.dict, plus the common ones */

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Every file of @folder (none when it does not exist), sorted by name. */
static GPtrArray *
load_folder (const char *folder)
{
  GPtrArray *inputs = g_ptr_array_new_with_free_func (input_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  if (dir == NULL)
    return inputs;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, names->pdata[i], NULL);
      g_autoptr(GError) error = NULL;
      Input *input = g_new0 (Input, 1);
      char *contents;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, &error))
        g_error ("%s", error->message);
      input->name = g_steal_pointer (&path);
      input->bytes = g_bytes_new_take (contents, len);
      g_ptr_array_add (inputs, input);
    }
  return inputs;
}

/* A libFuzzer dictionary: one "quoted string" per line (name="…" too),
 * with \\, \" and \xNN escapes; # comments. */
static void
load_dictionary (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *open = strchr (lines[i], '"');
      const char *close = strrchr (lines[i], '"');
      GByteArray *token;

      if (g_str_has_prefix (g_strchug (lines[i]), "#") || open == NULL || close <= open)
        continue;
      token = g_byte_array_new ();
      for (const char *p = open + 1; p < close; p++)
        {
          guint8 c = (guint8) *p;

          if (*p == '\\' && p + 1 < close && p[1] == 'x' && p + 3 < close &&
              g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
            {
              c = (guint8) (g_ascii_xdigit_value (p[2]) * 16 + g_ascii_xdigit_value (p[3]));
              p += 3;
            }
          else if (*p == '\\' && p + 1 < close)
            c = (guint8) *++p;
          g_byte_array_append (token, &c, 1);
        }
      g_ptr_array_add (tokens, g_byte_array_free_to_bytes (token));
    }
}

/* Numbers that broke or could break readers and plots. */
static const char * const huge_numbers[] = {
  "1e300", "1e200", "1e308", "1.7976931348623157e308", "1e309", "-1e309", "-1e300",
  "1e-300", "4.9e-324", "1e-320", "0.000000000000000000001", "-0", "-0.0",
  "9007199254740991", "9007199254740992", "9223372036854775807", "9223372036854775808",
  "-9223372036854775809", "18446744073709551615", "18446744073709551616",
  "123456789012345678901234567890123456789", "1e999999999", "NaN", "Infinity", "-Infinity",
  "nan", "inf", "0x10", "1.5", "1e5",
};

/* ---- mutations ---------------------------------------------------------------- */

static GRand *rng;

static guint
pick (guint n)
{
  return n > 1 ? (guint) g_rand_int_range (rng, 0, (gint32) n) : 0;
}

static void
insert_repeated (GByteArray *buf, guint pos, const char *unit, guint times)
{
  gsize unit_len = strlen (unit);
  g_autoptr(GByteArray) run = g_byte_array_sized_new ((guint) (unit_len * times));

  for (guint i = 0; i < times; i++)
    g_byte_array_append (run, (const guint8 *) unit, (guint) unit_len);
  g_byte_array_prepend (run, buf->data, pos);
  g_byte_array_append (run, buf->data + pos, buf->len - pos);
  g_byte_array_set_size (buf, 0);
  g_byte_array_append (buf, run->data, run->len);
}

static void
insert_bytes (GByteArray *buf, guint pos, const guint8 *data, gsize len)
{
  guint old = buf->len;

  g_byte_array_set_size (buf, (guint) (old + len));
  memmove (buf->data + pos + len, buf->data + pos, old - pos);
  memcpy (buf->data + pos, data, len);
}

static void
mutate_once (GByteArray *buf, GPtrArray *corpus)
{
  static const guint8 interesting[] = {
    0x00, 0xff, 0x7f, 0x80, '"', '\\', '[', ']', '{', '}', ',', ':', '\n', '\r', ' ', '\t',
    '0', '9', '-', '+', 'e', '.', '%', '&', '=', '?', 0xc3, 0xed, 0xef,
  };
  guint pos = buf->len > 0 ? pick (buf->len + 1) : 0;
  guint op = pick (16);

  switch (op)
    {
    case 0: case 1:   /* flip a bit */
      if (buf->len > 0)
        buf->data[MIN (pos, buf->len - 1)] ^= (guint8) (1u << pick (8));
      break;
    case 2:           /* set a byte to a value parsers care about */
      if (buf->len > 0)
        buf->data[MIN (pos, buf->len - 1)] = interesting[pick (sizeof interesting)];
      break;
    case 3:           /* a small arithmetic change */
      if (buf->len > 0)
        buf->data[MIN (pos, buf->len - 1)] += (guint8) (pick (7) + 1 - 4);
      break;
    case 4:           /* insert random bytes */
      {
        guint8 bytes[4];
        guint n = pick (4) + 1;

        for (guint i = 0; i < n; i++)
          bytes[i] = (guint8) pick (256);
        insert_bytes (buf, pos, bytes, n);
      }
      break;
    case 5:           /* insert an interesting byte */
      insert_bytes (buf, pos, &interesting[pick (sizeof interesting)], 1);
      break;
    case 6: case 7:   /* delete a span */
      if (pos < buf->len)
        {
          guint len = pick (16) + 1;

          g_byte_array_remove_range (buf, pos, MIN (buf->len - pos, len));
        }
      break;
    case 8:           /* copy a span elsewhere */
      if (buf->len > 0)
        {
          guint from = pick (buf->len);
          guint len = pick (64) + 1;
          g_autofree guint8 *span = NULL;

          len = MIN (buf->len - from, len);
          span = g_memdup2 (buf->data + from, len);

          insert_bytes (buf, pos, span, len);
        }
      break;
    case 9:           /* splice: our head, another input's tail */
      if (corpus->len > 0)
        {
          Input *other = corpus->pdata[pick (corpus->len)];
          gsize other_len;
          const guint8 *other_data = g_bytes_get_data (other->bytes, &other_len);
          guint from = other_len > 0 ? pick ((guint) other_len) : 0;

          g_byte_array_set_size (buf, pos);
          g_byte_array_append (buf, other_data + from, (guint) (other_len - from));
        }
      break;
    case 10: case 11: /* a dictionary token */
      if (tokens->len > 0)
        {
          GBytes *token = tokens->pdata[pick (tokens->len)];
          gsize len;
          const guint8 *data = g_bytes_get_data (token, &len);

          if (op == 11 && pos + len <= buf->len)
            memcpy (buf->data + pos, data, len);
          else
            insert_bytes (buf, pos, data, len);
        }
      break;
    case 12:          /* a huge (or odd) number */
      {
        const char *number = huge_numbers[pick (G_N_ELEMENTS (huge_numbers))];

        insert_bytes (buf, pos, (const guint8 *) number, strlen (number));
      }
      break;
    case 13:          /* deep nesting, now and then very deep */
      {
        static const char * const units[] = { "[", "{", "{\"a\":", "[{\"seq\":" };
        static const guint depths[] = { 2, 63, 64, 65, 1000, 100000 };
        guint depth = depths[pick (G_N_ELEMENTS (depths))];

        if (depth == 100000 && pick (8) != 0)
          depth = 100;
        insert_repeated (buf, pos, units[pick (G_N_ELEMENTS (units))], depth);
      }
      break;
    case 14:          /* repeat a line (constant series, duplicates) */
      if (buf->len > 0)
        {
          const guint8 *nl = memchr (buf->data + pos, '\n', buf->len - pos);
          guint end = nl != NULL ? (guint) (nl - buf->data) + 1 : buf->len;
          guint start = pos;
          g_autofree guint8 *line = NULL;
          guint times = pick (20) + 1;

          while (start > 0 && buf->data[start - 1] != '\n')
            start--;
          line = g_memdup2 (buf->data + start, end - start);
          for (guint i = 0; i < times && buf->len < MAX_INPUT_SIZE / 2; i++)
            insert_bytes (buf, end, line, end - start);
        }
      break;
    case 15:          /* truncate */
    default:
      g_byte_array_set_size (buf, pos);
      break;
    }
  if (buf->len > MAX_INPUT_SIZE)
    g_byte_array_set_size (buf, MAX_INPUT_SIZE);
}

/* ---- tests ------------------------------------------------------------------- */

static void
replay (GPtrArray *inputs, const char *what)
{
  for (guint i = 0; i < inputs->len; i++)
    {
      Input *input = inputs->pdata[i];
      gsize len;
      const guint8 *data = g_bytes_get_data (input->bytes, &len);

      run_input (data, len, "%s", input->name);
    }
  g_test_message ("%u %s replayed", inputs->len, what);
}

static void
test_seeds (void)
{
  /* A target without seeds would only see the hostile and mutated inputs
   * of nothing: say so instead of passing quietly. */
  g_assert_cmpuint (seeds->len, >, 0);
  replay (seeds, "seeds");
}

static void
test_crashes (void)
{
  if (crashes->len == 0)
    g_test_message ("no crash reproducer committed for " FUZZ_TARGET);
  replay (crashes, "crash reproducers");
}

/* Removes @path and what it holds. */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* A reproducer named open-* is a bug found and not fixed yet: the target
 * exempts it (see its "Known open bug" comment) unless CO2S_FUZZ_STRICT is
 * set. Each must still fail, strictly, in a subprocess; once one passes,
 * the bug is fixed: the test fails and says to keep the file as a
 * regression input (renamed without open-) and to drop the exemption. */
static void
test_open_bugs (void)
{
  if (g_test_subprocess ())
    {
      const char *path = g_getenv ("CO2S_FUZZ_OPEN_INPUT");
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_nonnull (path);
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      run_input ((const guint8 *) contents, len, "%s", path);
      return;
    }

  if (open_bugs->len == 0)
    g_test_message ("no open bug for " FUZZ_TARGET);
  for (guint i = 0; i < open_bugs->len; i++)
    {
      Input *input = open_bugs->pdata[i];
      g_autofree char *old_tmpdir = g_strdup (g_getenv ("TMPDIR"));
      g_autofree char *scratch = g_dir_make_tmp ("co2s-fuzz-open-XXXXXX", NULL);

      /* The subprocess aborts, leaving its temporary files: in here. */
      g_assert_nonnull (scratch);
      g_setenv ("TMPDIR", scratch, TRUE);
      g_setenv ("CO2S_FUZZ_OPEN_INPUT", input->name, TRUE);
      g_setenv ("CO2S_FUZZ_STRICT", "1", TRUE);
      g_test_trap_subprocess (NULL, (watchdog_seconds + 10) * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_unsetenv ("CO2S_FUZZ_STRICT");
      g_unsetenv ("CO2S_FUZZ_OPEN_INPUT");
      if (old_tmpdir != NULL)
        g_setenv ("TMPDIR", old_tmpdir, TRUE);
      else
        g_unsetenv ("TMPDIR");
      remove_tree (scratch);
      if (g_test_trap_has_passed ())
        {
          g_test_fail_printf ("%s passes now: the bug looks fixed; keep the file as a regression input "
                              "(rename it without \"open-\") and drop its exemption in fuzz-" FUZZ_TARGET ".c",
                              input->name);
          continue;
        }
      g_test_trap_assert_stderr ("*fuzz*");
      g_test_message ("open bug still there: %s", input->name);
    }
}

static void
test_hostile (void)
{
  static const char * const nesting_units[] = { "[", "{", "{\"a\":", "{\"seq\":", "{\"rmse\":" };
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint n = 0;

  run_input ((const guint8 *) "", 0, "the empty input");
  n++;

  /* Nesting 100,000 deep (json-glib recursed into a stack overflow), open
   * and closed, alone and after each seed's first bytes. */
  for (guint u = 0; u < G_N_ELEMENTS (nesting_units); u++)
    for (int closed = 0; closed <= 1; closed++)
      {
        g_byte_array_set_size (buf, 0);
        insert_repeated (buf, 0, nesting_units[u], 100000);
        if (closed)
          insert_repeated (buf, buf->len, nesting_units[u][0] == '[' ? "]" : "}", 100000);
        run_input (buf->data, buf->len, "%s ×100000%s", nesting_units[u], closed ? " closed" : "");
        n++;
      }

  /* Huge and odd numbers alone, as a metrics line and as a seq. */
  for (guint i = 0; i < G_N_ELEMENTS (huge_numbers); i++)
    {
      g_autofree char *metrics = g_strdup_printf ("{\"batch\":1,\"rows\":10,\"rows_seen\":10,"
                                                  "\"rmse\":%s,\"mae\":%s,\"rmse_fit\":%s}\n",
                                                  huge_numbers[i], huge_numbers[i], huge_numbers[i]);
      g_autofree char *seq = g_strdup_printf ("{\"seq\":%s}\n{\"seq\":1}\n", huge_numbers[i]);

      run_input ((const guint8 *) huge_numbers[i], strlen (huge_numbers[i]), "number %s", huge_numbers[i]);
      run_input ((const guint8 *) metrics, strlen (metrics), "metrics line with %s", huge_numbers[i]);
      run_input ((const guint8 *) seq, strlen (seq), "seq %s", huge_numbers[i]);
      n += 3;
    }

  /* Every byte value; long lines; many lines. */
  g_byte_array_set_size (buf, 256);
  for (guint i = 0; i < 256; i++)
    buf->data[i] = (guint8) i;
  run_input (buf->data, buf->len, "bytes 0..255");
  g_byte_array_set_size (buf, 0);
  insert_repeated (buf, 0, "x", 300 * 1024);
  run_input (buf->data, buf->len, "one line of 300 KiB");
  g_byte_array_set_size (buf, 0);
  insert_repeated (buf, 0, "\n", 200 * 1024);
  run_input (buf->data, buf->len, "200 Ki empty lines");
  n += 3;

  /* Each seed's first half followed by deep nesting. */
  for (guint i = 0; i < seeds->len; i++)
    {
      Input *seed = seeds->pdata[i];
      gsize len;
      const guint8 *data = g_bytes_get_data (seed->bytes, &len);

      g_byte_array_set_size (buf, 0);
      g_byte_array_append (buf, data, (guint) (len / 2));
      insert_repeated (buf, buf->len, "[", 100000);
      run_input (buf->data, buf->len, "%s, first half, then [ ×100000", seed->name);
      n++;
    }
  g_test_message ("%u hostile inputs", n);
}

static void
test_mutations (void)
{
  const char *env = g_getenv ("CO2S_FUZZ_ITERATIONS");
  guint64 iterations = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 2000;
  g_autoptr(GPtrArray) corpus = g_ptr_array_new ();
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < seeds->len; i++)
    g_ptr_array_add (corpus, seeds->pdata[i]);
  for (guint i = 0; i < crashes->len; i++)
    g_ptr_array_add (corpus, crashes->pdata[i]);
  for (guint i = 0; i < open_bugs->len; i++)
    g_ptr_array_add (corpus, open_bugs->pdata[i]);
  g_assert_cmpuint (corpus->len, >, 0);

  for (guint64 it = 0; it < iterations; it++)
    {
      Input *base = corpus->pdata[pick (corpus->len)];
      gsize len;
      const guint8 *data = g_bytes_get_data (base->bytes, &len);
      guint n_mutations = pick (8) == 0 ? pick (16) + 1 : pick (4) + 1;

      g_byte_array_set_size (buf, 0);
      g_byte_array_append (buf, data, (guint) len);
      for (guint m = 0; m < n_mutations; m++)
        mutate_once (buf, corpus);
      run_input (buf->data, buf->len, "mutation %" G_GUINT64_FORMAT " of %s", it, base->name);
    }
  g_test_message ("%" G_GUINT64_FORMAT " mutated inputs in %.1f s",
                  iterations, (g_get_monotonic_time () - start) / 1e6);
}

int
main (int argc, char *argv[])
{
  const char *seed_env = g_getenv ("CO2S_FUZZ_SEED");
  const char *watchdog_env = g_getenv ("CO2S_FUZZ_WATCHDOG");
  g_autofree char *seed_dir = g_build_filename (FUZZ_DIR, "seeds", FUZZ_TARGET, NULL);
  g_autofree char *crash_dir = g_build_filename (FUZZ_DIR, "crashes", FUZZ_TARGET, NULL);
  g_autofree char *dict = g_build_filename (FUZZ_DIR, FUZZ_TARGET ".dict", NULL);
  guint32 seed = seed_env != NULL ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : 20240610;
  int status;

  g_test_init (&argc, &argv, NULL);
  fuzz_init ();
  if (watchdog_env != NULL)
    watchdog_seconds = MAX (1, (guint) g_ascii_strtoull (watchdog_env, NULL, 10));
  g_snprintf (save_path, sizeof save_path, "%s/co2s-fuzz-" FUZZ_TARGET "-%d.bin",
              g_get_tmp_dir (), (int) getpid ());
  install_handlers ();

  /* test-fuzz-replay-<target> FILE…: only those inputs (to reproduce one). */
  if (argc > 1)
    {
      for (int i = 1; i < argc; i++)
        {
          g_autofree char *contents = NULL;
          g_autoptr(GError) error = NULL;
          gsize len;

          if (!g_file_get_contents (argv[i], &contents, &len, &error))
            g_error ("%s", error->message);
          run_input ((const guint8 *) contents, len, "%s", argv[i]);
          g_print ("%s: passed\n", argv[i]);
        }
      return 0;
    }

  rng = g_rand_new_with_seed (seed);
  seeds = load_folder (seed_dir);
  crashes = load_folder (crash_dir);
  open_bugs = g_ptr_array_new ();
  for (guint i = 0; i < crashes->len;)
    {
      Input *input = crashes->pdata[i];
      g_autofree char *base = g_path_get_basename (input->name);

      if (g_str_has_prefix (base, "open-"))
        g_ptr_array_add (open_bugs, g_ptr_array_steal_index (crashes, i));
      else
        i++;
    }
  g_ptr_array_set_free_func (open_bugs, input_free);
  tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  load_dictionary (dict);
  g_test_message ("target " FUZZ_TARGET ": %u seeds, %u crash reproducers, %u open bugs, "
                  "%u dictionary tokens, CO2S_FUZZ_SEED=%u",
                  seeds->len, crashes->len, open_bugs->len, tokens->len, seed);

  g_test_add_func ("/fuzz/" FUZZ_TARGET "/seeds", test_seeds);
  g_test_add_func ("/fuzz/" FUZZ_TARGET "/crashes", test_crashes);
  g_test_add_func ("/fuzz/" FUZZ_TARGET "/open-bugs", test_open_bugs);
  g_test_add_func ("/fuzz/" FUZZ_TARGET "/hostile", test_hostile);
  g_test_add_func ("/fuzz/" FUZZ_TARGET "/mutations", test_mutations);
  status = g_test_run ();

  g_clear_pointer (&seeds, g_ptr_array_unref);
  g_clear_pointer (&crashes, g_ptr_array_unref);
  g_clear_pointer (&open_bugs, g_ptr_array_unref);
  g_clear_pointer (&tokens, g_ptr_array_unref);
  g_rand_free (rng);
  return status;
}
