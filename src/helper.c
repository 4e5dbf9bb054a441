/* helper.c: the second thread (helper.h).
 *
 * One slot holds the offered task; its state moves FREE -> (a caller) OFFERING -> OFFERED, then either the
 * helper takes it (TAKEN, then DONE when run) or the waiting caller does (back to FREE at once). Only the
 * caller that moved it out of FREE moves it back, so two callers never share the slot: the second finds it
 * busy and runs its task itself. The release/acquire pairs order the task's inputs before the helper reads
 * them and its outputs before the caller does. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "helper.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void relax(void) { _mm_pause(); }
#else
static inline void relax(void) {}
#endif

enum { FREE, OFFERING, OFFERED, TAKEN, DONE };

/* How long the helper spins for the next task before it sleeps, and how long a caller spins for a task the
 * helper took before it yields its CPU (the helper may be waiting for one). */
#define SPIN_NS 200000u
#define WAIT_SPIN_NS 50000u

static _Alignas(64) _Atomic int state = FREE;
static il_task slot_task;
static void *slot_arg;
static _Alignas(64) _Atomic int sleeping;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_once_t start_once = PTHREAD_ONCE_INIT;
static int started;

uint64_t il_monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Sleeps until woken (an offer, or spuriously), then spins again: a task the caller took back while the wake
 * was on its way is followed by the next within microseconds. `sleeping` is set before the state is read
 * again, and an offer reads it after setting the state (both sequentially consistent), so one of the two
 * sees the other: no lost wake. */
static void sleep_until_offered(void)
{
    pthread_mutex_lock(&sleep_lock);
    atomic_store(&sleeping, 1);
    if (atomic_load(&state) != OFFERED) pthread_cond_wait(&wake, &sleep_lock);
    atomic_store(&sleeping, 0);
    pthread_mutex_unlock(&sleep_lock);
}

static void *helper_main(void *unused)
{
    (void)unused;
    for (;;) {
        uint64_t idle_since = il_monotonic_ns();
        for (unsigned n = 1; atomic_load_explicit(&state, memory_order_acquire) != OFFERED; n++) {
            relax();
            if (n % 256 == 0 && il_monotonic_ns() - idle_since > SPIN_NS) {
                sleep_until_offered();
                idle_since = il_monotonic_ns();
            }
        }
        int offered = OFFERED;
        if (atomic_compare_exchange_strong_explicit(&state, &offered, TAKEN, memory_order_acq_rel,
                                                    memory_order_relaxed)) {
            slot_task(slot_arg);
            atomic_store_explicit(&state, DONE, memory_order_release);
        }
    }
    return NULL;
}

/* CPUs this process may run on. */
static int usable_cpus(void)
{
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* A forked child has no helper: its offers are refused and it works alone. */
static void after_fork_in_child(void)
{
    started = 0;
    atomic_store(&state, FREE);
}

static void start(void)
{
    const char *setting = getenv("INITLAB_THREADS");
    if ((setting && strcmp(setting, "1") == 0) || usable_cpus() < 2) return;
    pthread_attr_t attr;
    pthread_t thread;
    if (pthread_attr_init(&attr) != 0) return;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* signals stay with the program's own threads (the host's Ctrl-C interrupts its select) */
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before);
    started = pthread_create(&thread, &attr, helper_main, NULL) == 0;
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    pthread_attr_destroy(&attr);
    if (started) pthread_atfork(NULL, NULL, after_fork_in_child);
}

int il_helper_available(void)
{
    pthread_once(&start_once, start);
    return started;
}

int il_helper_offer(il_task task, void *arg)
{
    int free_slot = FREE;
    if (!il_helper_available() ||
        !atomic_compare_exchange_strong_explicit(&state, &free_slot, OFFERING, memory_order_acquire,
                                                 memory_order_relaxed))
        return 0;
    slot_task = task, slot_arg = arg;
    atomic_store(&state, OFFERED); /* sequentially consistent: see sleep_until_offered */
    if (atomic_load(&sleeping)) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_signal(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    return 1;
}

void il_helper_wait(void)
{
    int offered = OFFERED;
    if (atomic_compare_exchange_strong_explicit(&state, &offered, OFFERING, memory_order_acquire,
                                                memory_order_relaxed)) {
        slot_task(slot_arg); /* not taken yet: run it here */
        atomic_store_explicit(&state, FREE, memory_order_release);
        return;
    }
    const uint64_t since = il_monotonic_ns();
    for (unsigned n = 1; atomic_load_explicit(&state, memory_order_acquire) != DONE; n++) {
        relax();
        if (n % 256 == 0 && il_monotonic_ns() - since > WAIT_SPIN_NS) sched_yield();
    }
    atomic_store_explicit(&state, FREE, memory_order_release);
}
