#include "rsa_key.h"
#include <string.h>
#include "der.h"

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *s)
{
    size_t n = strlen(s);
    for (; p + n <= end; p++) {
        if (memcmp(p, s, n) == 0) {
            return p;
        }
    }
    return NULL;
}

int pem_to_der(const uint8_t *pem, size_t len, uint8_t *out, size_t out_max)
{
    const uint8_t *end = pem + len;
    const uint8_t *b = find(pem, end, "-----BEGIN ");
    if (!b) {
        return -1;
    }
    b = find(b + 11, end, "-----");
    if (!b) {
        return -1;
    }
    b += 5;
    const uint8_t *e = find(b, end, "-----END ");
    if (!e) {
        return -1;
    }
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; b < e; b++) {
        if (*b == '=') {
            break;
        }
        int v = b64val(*b);
        if (v < 0) {
            if (*b == '\r' || *b == '\n' || *b == ' ' || *b == '\t') {
                continue;
            }
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= out_max) {
                return -1;
            }
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return (int)n;
}

static const uint8_t OID_RSA[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};

static int parse_pkcs1(const uint8_t *p, const uint8_t *end, rsa_key_t *key)
{
    der_t seq, e;
    if (der_expect(&p, end, 0x30, &seq) != 0) {
        return -1;
    }
    const uint8_t *q = seq.val, *qe = seq.val + seq.len;
    if (der_expect(&q, qe, 0x02, &e) != 0) { /* version */
        return -1;
    }
    for (int i = 0; i < 8; i++) {
        if (der_expect(&q, qe, 0x02, &e) != 0 || e.len == 0) {
            return -1;
        }
        key->v[i] = e.val;
        key->len[i] = e.len;
        if (e.len > 1 && e.val[0] == 0) {
            key->v[i]++;
            key->len[i]--;
        }
    }
    return 0;
}

int rsa_key_parse(const uint8_t *der, size_t len, rsa_key_t *key)
{
    const uint8_t *p = der, *end = der + len;
    der_t seq, e, alg, oid, oct;
    if (der_expect(&p, end, 0x30, &seq) != 0) {
        return -1;
    }
    const uint8_t *q = seq.val, *qe = seq.val + seq.len;
    if (der_expect(&q, qe, 0x02, &e) != 0 || der_next(&q, qe, &alg) != 0) {
        return -1;
    }
    if (alg.tag == 0x02) {
        return parse_pkcs1(der, end, key); /* PKCS#1: version, then n */
    }
    if (alg.tag != 0x30) {
        return -1;
    }
    const uint8_t *a = alg.val;
    if (der_expect(&a, alg.val + alg.len, 0x06, &oid) != 0 || oid.len != sizeof OID_RSA ||
        memcmp(oid.val, OID_RSA, sizeof OID_RSA) != 0) {
        return -1;
    }
    if (der_expect(&q, qe, 0x04, &oct) != 0) {
        return -1;
    }
    return parse_pkcs1(oct.val, oct.val + oct.len, key);
}
