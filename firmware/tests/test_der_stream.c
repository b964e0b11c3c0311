/* The streaming PEM/DER decoder (der_stream.c); src-main/board/sim/staged-der.test.ts checks the
 * TypeScript twin with the same cases. */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "der_stream.h"
#include "rsa_key.h"

static int run(const uint8_t *in, size_t n, size_t chunk, uint8_t *out, size_t max)
{
    der_stream_t d;
    der_stream_init(&d, out, max);
    for (size_t at = 0; at < n; at += chunk) {
        size_t k = n - at < chunk ? n - at : chunk;
        if (der_stream_put(&d, in + at, k) != 0) {
            return -2; /* overflow */
        }
    }
    return der_stream_end(&d);
}

TEST(der_stream_der_and_pem_in_any_chunks)
{
    size_t kl, cl;
    uint8_t *pem = test_read_shared("vectors/inputs/server_rsa2048.key", &kl);
    uint8_t *der = test_read_shared("vectors/inputs/ca_rsa2048.der", &cl);
    if (!pem || !der) {
        CHECK(0);
        return;
    }
    static uint8_t out[4096], ref[4096];
    CHECK_EQ(run(der, cl, 7, out, sizeof out), (long long)cl);
    CHECK(memcmp(out, der, cl) == 0);
    int rl = pem_to_der(pem, kl, ref, sizeof ref);
    CHECK(rl > 1000);
    for (size_t chunk = 1; chunk <= 64; chunk *= 4) {
        CHECK_EQ(run(pem, kl, chunk, out, sizeof out), rl);
        CHECK(memcmp(out, ref, (size_t)rl) == 0);
    }
    /* text before the block, CRLF lines, a run of six dashes */
    static char framed[8192];
    size_t fl = (size_t)snprintf(framed, sizeof framed, "Bag Attributes\r\n    localKeyID: 01\r\n-%.*s", (int)kl, (const char *)pem);
    CHECK_EQ(run((const uint8_t *)framed, fl, 5, out, sizeof out), rl);
    CHECK(memcmp(out, ref, (size_t)rl) == 0);
    /* too small for it: overflow */
    CHECK_EQ(run(pem, kl, 64, out, (size_t)rl - 1), -2);
    free(pem);
    free(der);
}

TEST(der_stream_refuses_what_is_not_a_plain_block)
{
    static uint8_t out[256];
    static const char enc[] = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    CHECK_EQ(run((const uint8_t *)enc, sizeof enc - 1, 3, out, sizeof out), -1);
    static const char cut[] = "-----BEGIN CERTIFICATE-----\nMIIB";
    CHECK_EQ(run((const uint8_t *)cut, sizeof cut - 1, 3, out, sizeof out), -1);
    static const char none[] = "hello world";
    CHECK_EQ(run((const uint8_t *)none, sizeof none - 1, 3, out, sizeof out), -1);
    static const char pad[] = "-----BEGIN X-----\nAAEC\nAw==\n-----END X-----\n";
    CHECK_EQ(run((const uint8_t *)pad, sizeof pad - 1, 1, out, sizeof out), 4);
    CHECK(out[0] == 0 && out[1] == 1 && out[2] == 2 && out[3] == 3);
    CHECK_EQ(run((const uint8_t *)"", 0, 1, out, sizeof out), -1);
}
