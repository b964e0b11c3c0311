/* RSA private key input (PEM PKCS#1 / unencrypted PKCS#8, or the same as DER). */
#ifndef RSA_KEY_H
#define RSA_KEY_H
#include <stddef.h>
#include <stdint.h>
typedef struct {
    const uint8_t *v[8];  /* N, e, d, p, q, dP, dQ, qInv: at most one leading 0x00 removed */
    size_t len[8];
} rsa_key_t;
/* Base64 body of a PEM block into out; returns the DER length or -1. */
int pem_to_der(const uint8_t *pem, size_t len, uint8_t *out, size_t out_max);
/* Parse a DER PKCS#1 or PKCS#8 RSA private key (elements point into der). 0 = ok. */
int rsa_key_parse(const uint8_t *der, size_t len, rsa_key_t *key);
#endif
