/* The same question for pthreadpool (XNNPACK's pool): its process-wide pool
 * used by the parent, then by a forked child. Built and run by run.sh if
 * Debian's libpthreadpool-dev is installed; not part of the library. */
#include <pthreadpool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_long sum;
static void add(void* context, size_t i) { (void)context; atomic_fetch_add(&sum, (long)i); }

int main(void) {
  pthreadpool_t pool = pthreadpool_create(4);
  pthreadpool_parallelize_1d(pool, add, NULL, 1000, 0);
  printf("parent: %ld\n", (long)sum);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    alarm(10);
    sum = 0;
    pthreadpool_parallelize_1d(pool, add, NULL, 1000, 0);
    printf("child: %ld\n", (long)sum);
    fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    printf("child HUNG (killed after 10 s)\n");
  else if (WIFSIGNALED(status))
    printf("child died of signal %d\n", WTERMSIG(status));
  else
    printf("child exited %d\n", WEXITSTATUS(status));
  return 0;
}
