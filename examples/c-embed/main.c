/* The C side of the c-embed example: calls the Rust library tally through
 * its generated header and checks every result.  With no argument it
 * tallies a built-in sample whose counts are known and prints one line per
 * check; with "-" it tallies standard input.  Exits 0 when every check
 * passed, 1 when one failed, 2 for bad input on standard input. */
#if defined(__MINGW32__) && !defined(__USE_MINGW_ANSI_STDIO)
/* MinGW-w64: C99's printf (%zu) rather than msvcrt.dll's. */
#define __USE_MINGW_ANSI_STDIO 1
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "tally.h"

/* What this program was compiled for, in tally_target()'s spelling. */
#if defined(__x86_64__)
#define C_ARCH "x86_64"
#elif defined(__aarch64__)
#define C_ARCH "aarch64"
#elif defined(__arm__)
#define C_ARCH "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define C_ARCH "riscv64"
#else
#define C_ARCH "other"
#endif
/* MinGW-w64 is Rust's target_env "gnu" on Windows. */
#if defined(__GLIBC__) || defined(__MINGW32__)
#define C_TARGET C_ARCH "-gnu"
#elif defined(__linux__)
#define C_TARGET C_ARCH "-musl"
#else
#define C_TARGET C_ARCH
#endif

/* Three lines, fourteen words; "Voila", "naive", "cafe" and the euro
 * sign are spelled in UTF-8, so bytes and characters differ. */
static const char sample[] =
    "The quick brown fox\n"
    "jumps over the lazy dog.\n"
    "Voil\xc3\xa0: na\xc3\xafve caf\xc3\xa9, 42 \xe2\x82\xac\n";
static const TallyCounts sample_counts = { 3, 14, 74, 69 };
static const char sample_summary[] =
    "3 lines, 14 words, 74 bytes, 69 characters";

static int checks, failures;

static void check(int ok, const char *what)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "app: check failed: %s\n", what);
    }
}

/* What the word callback saw. */
struct words {
    const char *buf;
    size_t size;
    unsigned calls;
    unsigned stop_after;        /* 0: never stop */
    size_t total;               /* bytes of all words */
    int outside;                /* a word pointed outside buf */
    const char *longest;
    size_t longest_len;
};

static bool on_word(void *user, const char *word, size_t len)
{
    struct words *w = user;

    w->calls++;
    w->total += len;
    if (word < w->buf || word + len > w->buf + w->size)
        w->outside = 1;
    if (len > w->longest_len) {
        w->longest = word;
        w->longest_len = len;
    }
    return w->stop_after == 0 || w->calls < w->stop_after;
}

static size_t spaces(const char *s, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')
            k++;
    return k;
}

static void print_counts(const char *name, const TallyCounts *c)
{
    printf("%s: %" PRIu64 " lines, %" PRIu64 " words, %" PRIu64
           " bytes, %" PRIu64 " characters\n",
           name, c->lines, c->words, c->bytes, c->chars);
}

static int self_test(void)
{
    const uint8_t *buf = (const uint8_t *)sample;
    size_t len = sizeof sample - 1;
    TallyCounts c;
    TallyStatus st;
    struct words w;
    char *s;

    printf("target: C %s, Rust %s\n", C_TARGET, tally_target());
    check(strcmp(C_TARGET, tally_target()) == 0,
          "the library is built for the program's target");

    st = tally_count(buf, len, &c);
    print_counts("sample", &c);
    check(st == TALLY_STATUS_OK &&
          memcmp(&c, &sample_counts, sizeof c) == 0,
          "tally_count fills the struct with the sample's counts");

    memset(&w, 0, sizeof w);
    w.buf = sample;
    w.size = len;
    st = tally_words(buf, len, on_word, &w);
    printf("words: %u callbacks, longest \"%.*s\" (%zu bytes)\n",
           w.calls, (int)w.longest_len, w.longest ? w.longest : "",
           w.longest_len);
    check(st == TALLY_STATUS_OK && w.calls == c.words,
          "the callback runs once per word");
    check(!w.outside && w.total == len - spaces(sample, len) &&
          w.longest_len == 7 && memcmp(w.longest, "Voil\xc3\xa0:", 7) == 0,
          "the callback gets the words in the caller's buffer");

    memset(&w, 0, sizeof w);
    w.buf = sample;
    w.size = len;
    w.stop_after = 3;
    st = tally_words(buf, len, on_word, &w);
    printf("stop: status %d after %u callbacks\n", (int)st, w.calls);
    check(st == TALLY_STATUS_STOPPED && w.calls == 3,
          "returning false from the callback stops the walk");

    s = tally_summary(&c);
    printf("summary: %s\n", s ? s : "(null)");
    check(s != NULL && strcmp(s, sample_summary) == 0,
          "tally_summary returns the sentence");
    tally_string_free(s);
    check(tally_summary(NULL) == NULL, "tally_summary(NULL) is NULL");

    st = tally_count(NULL, 5, &c);
    printf("error: NULL buffer: %d (%s)\n", (int)st, tally_strerror(st));
    check(st == TALLY_STATUS_NULL_POINTER && c.words == 0,
          "a NULL buffer is TALLY_STATUS_NULL_POINTER");

    memset(&w, 0, sizeof w);
    st = tally_words((const uint8_t *)"ok \xff\xfe", 5, on_word, &w);
    printf("error: invalid UTF-8: %d (%s)\n", (int)st, tally_strerror(st));
    check(st == TALLY_STATUS_INVALID_UTF8 && w.calls == 0,
          "invalid UTF-8 is TALLY_STATUS_INVALID_UTF8, no callback");
    check(tally_words(buf, len, NULL, NULL) == TALLY_STATUS_NULL_POINTER,
          "a NULL callback is TALLY_STATUS_NULL_POINTER");
    check(strcmp(tally_strerror(-2), "input is not valid UTF-8") == 0 &&
          strcmp(tally_strerror(99), "unknown status") == 0,
          "tally_strerror names each status");

    if (failures) {
        printf("tally %s: %d of %d checks failed\n", tally_version(),
               failures, checks);
        return 1;
    }
    printf("tally %s: all %d checks passed\n", tally_version(), checks);
    return 0;
}

/* Tallies standard input. */
static int tally_stdin(void)
{
    size_t len = 0, cap = 4096, n;
    char *buf = malloc(cap);
    TallyCounts c;
    TallyStatus st;
    struct words w;
    char *s;

    if (!buf) {
        fprintf(stderr, "app: out of memory\n");
        return 1;
    }
    for (;;) {
        n = fread(buf + len, 1, cap - len, stdin);
        if (n == 0)
            break;
        len += n;
        if (len == cap) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                fprintf(stderr, "app: out of memory\n");
                return 1;
            }
            buf = p;
            cap *= 2;
        }
    }
    st = tally_count((const uint8_t *)buf, len, &c);
    if (st < 0) {
        fprintf(stderr, "app: stdin: %s (status %d)\n", tally_strerror(st),
                (int)st);
        free(buf);
        return 2;
    }
    memset(&w, 0, sizeof w);
    w.buf = buf;
    w.size = len;
    st = tally_words((const uint8_t *)buf, len, on_word, &w);
    check(st == TALLY_STATUS_OK && w.calls == c.words,
          "the callback runs once per word");
    s = tally_summary(&c);
    printf("stdin: %s\n", s ? s : "(null)");
    tally_string_free(s);
    free(buf);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "-") == 0)
        return tally_stdin();
    if (argc != 1) {
        fprintf(stderr, "usage: app [-]\n");
        return 2;
    }
    return self_test();
}
