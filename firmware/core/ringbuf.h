/* Single-producer/single-consumer byte ring (power-of-two size), ISR safe for
 * one writer context and one reader context. */
#ifndef RINGBUF_H
#define RINGBUF_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *buf;
    uint32_t mask;
    volatile uint32_t head; /* written by producer */
    volatile uint32_t tail; /* written by consumer */
} ringbuf_t;

static inline void rb_init(ringbuf_t *r, uint8_t *storage, uint32_t size_pow2)
{
    r->buf = storage;
    r->mask = size_pow2 - 1u;
    r->head = 0;
    r->tail = 0;
}
static inline uint32_t rb_count(const ringbuf_t *r) { return r->head - r->tail; }
static inline uint32_t rb_space(const ringbuf_t *r) { return r->mask + 1u - rb_count(r); }
static inline int rb_put(ringbuf_t *r, uint8_t b)
{
    if (rb_space(r) == 0) {
        return 0;
    }
    r->buf[r->head & r->mask] = b;
    r->head = r->head + 1u;
    return 1;
}
static inline int rb_get(ringbuf_t *r, uint8_t *b)
{
    if (rb_count(r) == 0) {
        return 0;
    }
    *b = r->buf[r->tail & r->mask];
    r->tail = r->tail + 1u;
    return 1;
}
#endif
