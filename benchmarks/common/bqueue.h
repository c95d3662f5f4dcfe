/*
 * common/bqueue.h -- a bounded blocking queue of pointers for thread workloads
 * (header-only; pthread mutex + two condition variables).
 *
 * Multi-producer, multi-consumer, FIFO, at most AB_BQUEUE_CAP entries. Its
 * storage is inside the struct: the queue never allocates, so it never
 * touches the allocator under test (put it on run()'s stack or in a
 * thread's state). push blocks while full; pop blocks while empty; close
 * wakes everyone: pops drain what is left and then return false, pushes
 * after close are refused (false).
 *
 * API (stable: other workloads may use it):
 *   bool ab_bqueue_init(ab_bqueue *q);               false if the mutex/condvars cannot be made
 *   void ab_bqueue_destroy(ab_bqueue *q);
 *   bool ab_bqueue_push(ab_bqueue *q, void *v);       false if closed
 *   bool ab_bqueue_pop(ab_bqueue *q, void **out);     false once closed and empty
 *   void ab_bqueue_close(ab_bqueue *q);
 */
#ifndef AB_COMMON_BQUEUE_H
#define AB_COMMON_BQUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define AB_BQUEUE_CAP 64

typedef struct ab_bqueue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    void *slots[AB_BQUEUE_CAP];
    size_t head, count;
    bool closed;
} ab_bqueue;

static inline bool ab_bqueue_init(ab_bqueue *q) {
    q->head = q->count = 0;
    q->closed = false;
    if (pthread_mutex_init(&q->mu, NULL) != 0) return false;
    if (pthread_cond_init(&q->not_empty, NULL) != 0) {
        pthread_mutex_destroy(&q->mu);
        return false;
    }
    if (pthread_cond_init(&q->not_full, NULL) != 0) {
        pthread_cond_destroy(&q->not_empty);
        pthread_mutex_destroy(&q->mu);
        return false;
    }
    return true;
}

static inline void ab_bqueue_destroy(ab_bqueue *q) {
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->mu);
}

static inline bool ab_bqueue_push(ab_bqueue *q, void *v) {
    pthread_mutex_lock(&q->mu);
    while (q->count == AB_BQUEUE_CAP && !q->closed) pthread_cond_wait(&q->not_full, &q->mu);
    bool ok = !q->closed;
    if (ok) {
        q->slots[(q->head + q->count) % AB_BQUEUE_CAP] = v;
        q->count++;
        pthread_cond_signal(&q->not_empty);
    }
    pthread_mutex_unlock(&q->mu);
    return ok;
}

static inline bool ab_bqueue_pop(ab_bqueue *q, void **out) {
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->closed) pthread_cond_wait(&q->not_empty, &q->mu);
    bool ok = q->count > 0;
    if (ok) {
        *out = q->slots[q->head];
        q->head = (q->head + 1) % AB_BQUEUE_CAP;
        q->count--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->mu);
    return ok;
}

static inline void ab_bqueue_close(ab_bqueue *q) {
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

#endif /* AB_COMMON_BQUEUE_H */
