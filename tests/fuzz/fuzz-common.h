/* fuzz-common.h — what the fuzz targets of tests/fuzz share.
 *
 * Every target is one LLVMFuzzerTestOneInput (libFuzzer's entry point) in
 * its own fuzz-<target>.c. The same function is linked into a libFuzzer
 * executable (clang, -Dfuzzing=true) and into test-fuzz-replay-<target>
 * (any compiler, suite "fuzz"), which replays the committed seeds and crash
 * reproducers and runs a deterministic mutation loop.
 *
 * A target fails an input by aborting: fuzz_fail(), g_assert, a GLib
 * warning or critical (fatal here, as under G_DEBUG=fatal-warnings), a
 * sanitizer report. Warnings an input may legitimately cause (the CSV reader
 * warns once per bad row) are expected explicitly with
 * fuzz_expect_warnings(), counted and checked by the target. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* libFuzzer's entry points; LLVMFuzzerInitialize (fuzz-common.c) calls
 * fuzz_init, each target defines LLVMFuzzerTestOneInput. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Once per process, idempotent: GLib warnings and criticals become fatal,
 * messages, info and debug output is dropped (the API logs each client),
 * and the C locale is kept for numbers. */
void fuzz_init (void);

/* Fails the current input: prints "fuzz: " and the message on stderr and
 * aborts (libFuzzer keeps the input as a crash; the replay test prints it). */
G_NORETURN void fuzz_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* fuzz_fail unless @cond. */
#define fuzz_check(cond, ...) \
  G_STMT_START { if (G_UNLIKELY (!(cond))) fuzz_fail (__VA_ARGS__); } G_STMT_END

/* From now until fuzz_expect_end, GLib warnings of @domain (a static
 * string) are expected: counted, not printed, not fatal. Any other warning
 * or critical still fails the input. Not nested. */
void fuzz_expect_warnings (const char *domain);

/* Ends the above; returns how many warnings of the domain came. */
guint fuzz_expect_end (void);

/* Checks that @error is set and that its message is non-empty, valid UTF-8
 * (messages reach logs, the app's labels and HTTP bodies); @what names the
 * call in the failure message. */
void fuzz_check_error (const GError *error, const char *what);

/* fuzz_fail unless @text (@len bytes) is valid UTF-8. */
void fuzz_check_utf8 (const char *text, gssize len, const char *what);

/* A path naming a file that holds exactly the @size bytes at @data (a
 * memfd, /proc/self/fd/N: no disk writes). Valid until the next call. */
const char *fuzz_file_with (const uint8_t *data, size_t size);

/* A private temporary folder for this process, created on first use and
 * removed (with the files in it) at exit. */
const char *fuzz_tmpdir (void);

/* Reading structured values from the input bytes; past the end every
 * reader returns 0 (all bits zero). */
typedef struct {
  const uint8_t *data;
  size_t size;
  size_t pos;
} FuzzBytes;

static inline gboolean
fuzz_bytes_left (const FuzzBytes *b)
{
  return b->pos < b->size;
}

guint8  fuzz_bytes_u8     (FuzzBytes *b);
guint16 fuzz_bytes_u16    (FuzzBytes *b);
guint32 fuzz_bytes_u32    (FuzzBytes *b);
guint64 fuzz_bytes_u64    (FuzzBytes *b);
/* Any bit pattern: NaN, infinities and subnormals included. */
double  fuzz_bytes_double (FuzzBytes *b);

/* TRUE when @a and @b are the same double: bit for bit, but any NaN equals
 * any NaN. */
gboolean fuzz_same_double (double a, double b);

G_END_DECLS
