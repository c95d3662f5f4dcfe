/*
 * common/list.h -- an intrusive, circular doubly-linked list (header only).
 *
 * The node is embedded in the object (ab_dlist_node link;), so the list
 * itself never allocates; AB_CONTAINER_OF gets the object back. The list
 * head is a sentinel inside ab_dlist: do not copy or move an ab_dlist after
 * ab_dlist_init. Used by common/lru.h; usable by any workload that needs
 * O(1) unlink (LRU orders, expiry queues, free lists).
 */
#ifndef AB_COMMON_LIST_H
#define AB_COMMON_LIST_H

#include <stdbool.h>
#include <stddef.h>

/** The object that embeds member m of type T, from a pointer p to that member. */
#define AB_CONTAINER_OF(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

typedef struct ab_dlist_node {
    struct ab_dlist_node *prev, *next;
} ab_dlist_node;

typedef struct ab_dlist {
    ab_dlist_node head; /**< sentinel: head.next is the front, head.prev the back */
    size_t count;
} ab_dlist;

static inline void ab_dlist_init(ab_dlist *l) {
    l->head.prev = l->head.next = &l->head;
    l->count = 0;
}

static inline bool ab_dlist_empty(const ab_dlist *l) { return l->head.next == &l->head; }

/** The first node, or NULL if the list is empty. */
static inline ab_dlist_node *ab_dlist_front(const ab_dlist *l) {
    return ab_dlist_empty(l) ? NULL : l->head.next;
}

/** The last node, or NULL if the list is empty. */
static inline ab_dlist_node *ab_dlist_back(const ab_dlist *l) {
    return ab_dlist_empty(l) ? NULL : l->head.prev;
}

static inline void ab_dlist_insert_after_(ab_dlist_node *at, ab_dlist_node *n) {
    n->prev = at;
    n->next = at->next;
    at->next->prev = n;
    at->next = n;
}

static inline void ab_dlist_push_front(ab_dlist *l, ab_dlist_node *n) {
    ab_dlist_insert_after_(&l->head, n);
    l->count++;
}

static inline void ab_dlist_push_back(ab_dlist *l, ab_dlist_node *n) {
    ab_dlist_insert_after_(l->head.prev, n);
    l->count++;
}

/** Unlinks n (which must be in l). */
static inline void ab_dlist_remove(ab_dlist *l, ab_dlist_node *n) {
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = NULL;
    l->count--;
}

/** Moves n (already in l) to the front. */
static inline void ab_dlist_move_front(ab_dlist *l, ab_dlist_node *n) {
    if (l->head.next == n) return;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    ab_dlist_insert_after_(&l->head, n);
}

#endif /* AB_COMMON_LIST_H */
