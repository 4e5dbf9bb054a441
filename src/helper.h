/* helper.h: a second thread that takes half of a piece of work (the fused step's examples, fused.c).
 *
 * One helper per process, started on first use when the machine has two CPUs or more for this process
 * (and INITLAB_THREADS is not 1). The caller offers a task, does its own half, then waits: a task the
 * helper has not taken by then, the caller runs itself, so a helper that is slow to wake (asleep, or its
 * CPU busy) costs at most the time of one half. Between tasks the helper spins for a while (a training
 * loop offers one every few microseconds), then sleeps. It takes no signals, and a forked child has no
 * helper (its offers are refused). Nothing here allocates after the start. */
#ifndef INITLAB_HELPER_H
#define INITLAB_HELPER_H

#include <stdint.h>

typedef void (*il_task)(void *arg);

/* Whether a helper runs or can be started (then starts it). Cheap after the first call. */
int il_helper_available(void);

/* Offers task(arg) to the helper; 0 (and nothing offered) when there is none, or it holds another
 * caller's task: then run it yourself. After a 1, call il_helper_wait before touching what the task uses. */
int il_helper_offer(il_task task, void *arg);

/* Returns once the offered task has run, on the helper or, when the helper had not taken it yet, here. */
void il_helper_wait(void);

/* A monotonic clock in nanoseconds (for the step's choice between one thread and two). */
uint64_t il_monotonic_ns(void);

#endif
