#include "der.h"

int der_next(const uint8_t **p, const uint8_t *end, der_t *out)
{
    const uint8_t *q = *p;
    if (q >= end || end - q < 2) {
        return -1;
    }
    out->hdr = q;
    out->tag = *q++;
    size_t len = *q++;
    if (len & 0x80u) {
        size_t nb = len & 0x7Fu;
        if (nb == 0 || nb > 3 || (size_t)(end - q) < nb) {
            return -1;
        }
        len = 0;
        while (nb--) {
            len = (len << 8) | *q++;
        }
    }
    if ((size_t)(end - q) < len) {
        return -1;
    }
    out->val = q;
    out->len = len;
    out->tlv_len = (size_t)(q - out->hdr) + len;
    *p = q + len;
    return 0;
}

int der_expect(const uint8_t **p, const uint8_t *end, uint8_t tag, der_t *out)
{
    if (der_next(p, end, out) != 0 || out->tag != tag) {
        return -1;
    }
    return 0;
}
