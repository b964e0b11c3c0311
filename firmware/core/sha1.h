#ifndef SHA1_H
#define SHA1_H
#include <stddef.h>
#include <stdint.h>
typedef struct {
    uint32_t h[5];
    uint64_t len;
    uint8_t buf[64];
    uint32_t used;
} sha1_ctx;
void sha1_init(sha1_ctx *c);
void sha1_update(sha1_ctx *c, const uint8_t *p, size_t n);
void sha1_final(sha1_ctx *c, uint8_t out[20]);
#endif
