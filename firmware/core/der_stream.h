/* A certificate or key file, PEM or DER, turned into DER while it downloads (an http_sink_t).
 * DER when the first byte is 0x30; otherwise the base64 body of the first "-----BEGIN" block,
 * whitespace ignored, up to its "-----END". The TypeScript simulator stages files by the same
 * rule (src-main/board/sim/staged-der.ts), so both count the same bytes against the limits. */
#ifndef DER_STREAM_H
#define DER_STREAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *out;
    size_t max, len;
    uint8_t state;
    uint8_t match;   /* characters of "-----BEGIN" seen */
    uint32_t acc;
    uint8_t bits;
    bool overflow;   /* more DER than max */
} der_stream_t;

void der_stream_init(der_stream_t *d, uint8_t *out, size_t max);
/* 0, or -1 once the DER would pass max (overflow is set) */
int der_stream_put(void *ctx, const uint8_t *p, size_t n);
/* the DER length, or -1: not DER and no complete PEM block (or a PEM header such as Proc-Type) */
int der_stream_end(const der_stream_t *d);
#endif
