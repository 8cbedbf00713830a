/*
 * A small TAP test harness for the C unit tests.  Each test case runs in a
 * forked child process, so a crash or a failed check in one case cannot
 * hide or corrupt another; the parent prints one TAP line per case.
 *
 * Usage:
 *   TEST(parses_integers) { CHECK(x == 1); CHECK_STR(a, "b"); }
 *   TAP_MAIN(TAP_CASE(parses_integers), ...)
 */
#ifndef XRUST_TAP_H
#define XRUST_TAP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct tap_case {
  const char *name;
  void (*fn)(void);
};

static int tap_failures;

#define TEST(name) static void name(void)
#define TAP_CASE(name) { #name, name }

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "# %s:%d: check failed: %s\n", __FILE__, __LINE__,  \
              #cond);                                                      \
      tap_failures++;                                                      \
    }                                                                      \
  } while (0)

#define CHECK_STR(got, want)                                               \
  do {                                                                     \
    const char *tap_g_ = (got), *tap_w_ = (want);                          \
    if (!tap_g_ || !tap_w_ || strcmp(tap_g_, tap_w_) != 0) {               \
      fprintf(stderr, "# %s:%d: %s: got '%s', want '%s'\n", __FILE__,      \
              __LINE__, #got, tap_g_ ? tap_g_ : "(null)",                  \
              tap_w_ ? tap_w_ : "(null)");                                 \
      tap_failures++;                                                      \
    }                                                                      \
  } while (0)

/* Stops the case at once (for checks later lines depend on). */
#define REQUIRE(cond)                                                      \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "# %s:%d: requirement failed: %s\n", __FILE__,      \
              __LINE__, #cond);                                            \
      exit(1);                                                             \
    }                                                                      \
  } while (0)

/*
 * A fresh directory under TMPDIR named after NAME for one case (each case
 * runs in its own process, so the static buffer is the case's own).  It
 * is not removed when the case fails, so a failure leaves its evidence.
 */
static inline char *tap_scratch(const char *name)
{
  static char dir[4096];
  const char *t = getenv("TMPDIR");

  snprintf(dir, sizeof(dir), "%s/xrust-%s-XXXXXX", t && *t ? t : "/tmp",
           name);
  REQUIRE(mkdtemp(dir) != NULL);
  return dir;
}

/* The number of entries of the directory DIR, "." and ".." aside. */
static inline int tap_entries(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  REQUIRE(d != NULL);
  for (e = readdir(d); e; e = readdir(d))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      n++;
  closedir(d);
  return n;
}

static int tap_run(const struct tap_case *cases, size_t n, int argc,
                   char **argv)
{
  size_t i;
  int failed = 0;

  printf("1..%zu\n", n);
  fflush(stdout);
  for (i = 0; i < n; i++) {
    pid_t pid;
    int status = 0;

    if (argc > 1 && strcmp(argv[1], cases[i].name) != 0) {
      printf("ok %zu - %s # SKIP not selected\n", i + 1, cases[i].name);
      continue;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
      perror("fork");
      return 1;
    }
    if (pid == 0) {
      cases[i].fn();
      fflush(stdout);
      _exit(tap_failures ? 1 : 0);
    }
    if (waitpid(pid, &status, 0) < 0) {
      perror("waitpid");
      return 1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      printf("ok %zu - %s\n", i + 1, cases[i].name);
    } else {
      failed++;
      if (WIFSIGNALED(status))
        printf("not ok %zu - %s (signal %d)\n", i + 1, cases[i].name,
               WTERMSIG(status));
      else
        printf("not ok %zu - %s\n", i + 1, cases[i].name);
    }
    fflush(stdout);
  }
  return failed ? 1 : 0;
}

#define TAP_MAIN(...)                                                      \
  int main(int argc, char **argv)                                          \
  {                                                                        \
    static const struct tap_case tap_cases_[] = { __VA_ARGS__ };           \
    return tap_run(tap_cases_, sizeof(tap_cases_) / sizeof(tap_cases_[0]), \
                   argc, argv);                                            \
  }

#endif
