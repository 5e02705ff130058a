// Does a forked child still run OpenMP parallel regions after its parent ran
// one? (The case of a Python multiprocessing "fork" child.) Prints the
// parent's and the child's result; a child that hangs is killed by SIGALRM.
// Built and run by run.sh; not part of the library.
#include <omp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

static long sum_below(int n, int threads) {
  long s = 0;
#pragma omp parallel for num_threads(threads) reduction(+ : s)
  for (int i = 0; i < n; ++i) s += i;
  return s;
}

int main() {
  std::printf("parent: %ld\n", sum_below(1000, 4));
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    alarm(10);
    std::printf("child: %ld\n", sum_below(1000, 4));
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    std::printf("child HUNG (killed after 10 s)\n");
  else if (WIFSIGNALED(status))
    std::printf("child died of signal %d\n", WTERMSIG(status));
  else
    std::printf("child exited %d\n", WEXITSTATUS(status));
  return 0;
}
