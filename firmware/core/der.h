/* Minimal DER reader (definite lengths, up to 3 length bytes as the WINC parser). */
#ifndef DER_H
#define DER_H
#include <stddef.h>
#include <stdint.h>
typedef struct {
    uint8_t tag;
    const uint8_t *hdr;   /* start of the TLV */
    const uint8_t *val;   /* content octets */
    size_t len;           /* content length */
    size_t tlv_len;       /* header + content */
} der_t;
/* Reads one element at *p (< end); advances *p past it. 0 = ok, -1 = malformed. */
int der_next(const uint8_t **p, const uint8_t *end, der_t *out);
/* Reads the element and checks the tag. */
int der_expect(const uint8_t **p, const uint8_t *end, uint8_t tag, der_t *out);
#endif
