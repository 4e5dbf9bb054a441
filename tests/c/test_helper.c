/* test_helper.c: the second thread (helper.h): every offered task runs exactly once, on the helper or on
 * the waiting caller; a second offer while one is out is refused; a forked child has no helper;
 * INITLAB_THREADS=1 (tests.cmake runs this file again so) means no helper at all. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "helper.h"

static pthread_t caller;
static long runs, on_helper;
static volatile double sink;

/* A task of a few microseconds that counts where it ran. */
static void task(void *arg)
{
    long *runs_of_this = arg;
    (*runs_of_this)++;
    if (!pthread_equal(pthread_self(), caller)) on_helper++;
    double x = 0;
    for (int i = 0; i < 2000; i++) x += (double)i * 0.5;
    sink = x;
}

static int cpus(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

int main(void)
{
    caller = pthread_self();
    const char *setting = getenv("INITLAB_THREADS");
    const int expected = !(setting && strcmp(setting, "1") == 0) && cpus() >= 2;
    CHECK(il_helper_available() == expected);
    long offered = 0;
    for (int i = 0; i < 20000; i++) {
        long before = runs;
        if (!il_helper_offer(task, &runs)) {
            CHECK(!expected);
            continue;
        }
        offered++;
        long second = 0;
        CHECK(il_helper_offer(task, &second) == 0); /* the slot is taken until the wait */
        il_helper_wait();
        CHECK(runs == before + 1 && second == 0); /* run once, and its writes seen by the caller */
    }
    CHECK(offered == (expected ? 20000 : 0) && runs == offered);
    printf("helper: %ld of %ld tasks ran on the helper, the rest on the waiting caller\n", on_helper, offered);
    /* after a pause long enough for the helper to sleep, an offer still runs (woken, or run by the caller) */
    if (expected) {
        const uint64_t until = il_monotonic_ns() + 5000000u;
        while (il_monotonic_ns() < until) {
        }
        long before = runs;
        CHECK(il_helper_offer(task, &runs) == 1);
        il_helper_wait();
        CHECK(runs == before + 1);
    }
    /* a forked child has no helper: its offers are refused, so its work runs on its one thread */
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) _exit(il_helper_available() == 0 && il_helper_offer(task, &runs) == 0 ? 0 : 1);
    int status = -1;
    CHECK(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    uint64_t a = il_monotonic_ns(), b = il_monotonic_ns();
    CHECK(b >= a);
    return check_report("test_helper");
}
