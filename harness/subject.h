/*
 * subject.h -- the harness side of ab_subject: create a contestant for one
 * benchmark, optionally counting everything that goes through it.
 */
#ifndef AB_SUBJECT_H
#define AB_SUBJECT_H

#include "workload.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the stats pass measured (sums over every scope and thread). */
typedef struct ab_subject_counts {
    uint64_t allocs;          /**< allocation calls through the scope allocators */
    uint64_t frees;
    uint64_t bytes_requested; /**< bytes asked for by those calls */
    uint64_t backing_calls;   /**< alloc + resize + remap + free calls into the backing */
    uint64_t bytes_reserved;  /**< peak usable bytes held from the backing */
    uint64_t backing_live;    /**< usable bytes still held from the backing */
} ab_subject_counts;

/**
 * A subject for contestant c and workload w. counting: wrap the backing and
 * every scope allocator in counters (the untimed stats pass); off in timed
 * runs so that no contestant pays for measurement. NULL on failure.
 */
ab_subject *ab_subject_create(const ab_contestant *c, const ab_workload *w, bool counting);
/** Destroys s; returns the bytes it still held from the backing (a leak if
 *  non-zero; always 0 when not counting). */
uint64_t ab_subject_destroy(ab_subject *s);
/** Counting subjects: forget counts so far (peaks restart from what is live),
 *  so that a second run measures the steady state. */
void ab_subject_rebase(ab_subject *s);
/** Creates the subject and runs the workload's prepare hook on it, if any
 *  (NULL on failure); ab_subject_finish runs unprepare, then destroys. */
ab_subject *ab_subject_start(const ab_contestant *c, const ab_workload *w, void *input, bool counting);
uint64_t ab_subject_finish(ab_subject *s, void *input);
/** Counts so far (counting subjects only; zeros otherwise). */
void ab_subject_get_counts(const ab_subject *s, ab_subject_counts *out);

#ifdef __cplusplus
}
#endif
#endif
