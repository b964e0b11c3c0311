/* Frame codec against the worked examples of docs/serial-protocol.md section 8. */
#include <string.h>
#include "test.h"
#include "frame.h"

static void check_example(uint8_t type, uint16_t id, uint8_t flags, const char *payload_hex, const char *wire_hex)
{
    uint8_t payload[256], wire[300], raw[300], out[300];
    int pl = test_hex(payload_hex, payload, sizeof payload);
    int wl = test_hex(wire_hex, wire, sizeof wire);
    size_t n = frame_encode(type, id, flags, payload, (uint16_t)pl, raw, out);
    CHECK_EQ(n, wl);
    CHECK(memcmp(out, wire, (size_t)wl) == 0);
    /* decode the wire bytes back */
    frame_rx_t rx;
    frame_rx_init(&rx);
    frame_t f;
    int got = 0;
    for (int i = 0; i < wl; i++) {
        if (frame_rx_byte(&rx, wire[i], &f)) {
            got++;
            CHECK_EQ(f.type, type);
            CHECK_EQ(f.request_id, id);
            CHECK_EQ(f.flags, flags);
            CHECK_EQ(f.payload_len, pl);
            CHECK(memcmp(f.payload, payload, (size_t)pl) == 0);
        }
    }
    CHECK_EQ(got, 1);
}

TEST(frame_doc_examples)
{
    check_example(0x01, 1, 0, "00 04", "00 04 01 01 01 01 02 02 01 04 04 0f a1 00");
    check_example(0x02, 2, 0, "68 69", "00 04 01 02 02 01 02 02 05 68 69 70 8e 00");
    check_example(0x82, 2, 0, "68 69", "00 04 01 82 02 01 02 02 05 68 69 f1 73 00");
    check_example(0x20, 3, 0, "00 40 00 00 10 00", "00 04 01 20 03 01 02 06 01 02 40 01 02 10 03 e5 e9 00");
    check_example(0x23, 4, 0, "", "00 04 01 23 04 01 01 01 03 41 3b 00");
    check_example(0xa3, 4, 0, "", "00 04 01 a3 04 01 01 01 03 61 ef 00");
    check_example(0xa1, 5, 1, "0a 00 06 ff 00 00 00 13 61 64 64 72 65 73 73 20 6e 6f 74 20 61 6c 6c 6f 77 65 64",
                  "00 04 01 a1 05 03 01 1b 02 0a 03 06 ff 01 01 17 13 61 64 64 72 65 73 73 20 6e 6f 74 20 61 6c 6c 6f 77 65 64 e9 b5 00");
    check_example(0x40, 0, 0, "01 02 6f 6b", "00 03 01 40 01 01 02 04 07 01 02 6f 6b f0 a6 00");
    check_example(0x41, 7, 0, "06 00 02 00 00 00 10 00 00", "00 04 01 41 07 01 02 09 02 06 02 02 01 01 02 10 01 03 12 35 00");
}

TEST(frame_resync_and_errors)
{
    frame_rx_t rx;
    frame_rx_init(&rx);
    frame_t f;
    uint8_t wire[32];
    int wl = test_hex("00 04 01 02 02 01 02 02 05 68 69 70 8e 00", wire, sizeof wire);
    /* garbage before, a corrupted copy, then a good copy */
    const uint8_t junk[] = {0x55, 0x41, 0x54, 0x0D};
    for (size_t i = 0; i < sizeof junk; i++) {
        CHECK(!frame_rx_byte(&rx, junk[i], &f));
    }
    uint8_t bad[32];
    memcpy(bad, wire, (size_t)wl);
    bad[10] ^= 0x01;
    int got = 0;
    for (int i = 0; i < wl; i++) {
        got += frame_rx_byte(&rx, bad[i], &f);
    }
    for (int i = 0; i < wl; i++) {
        got += frame_rx_byte(&rx, wire[i], &f);
    }
    CHECK_EQ(got, 1);
    CHECK_EQ(rx.stats.crc_errors, 1);
    CHECK(rx.stats.other_errors >= 1); /* the junk decoded as a short frame */
    /* oversize frame is discarded and counted as overrun */
    uint32_t before = rx.stats.other_errors;
    for (int i = 0; i < 400; i++) {
        frame_rx_byte(&rx, 0x11, &f);
    }
    CHECK(!frame_rx_byte(&rx, 0, &f));
    CHECK_EQ(rx.stats.other_errors, before + 1);
}

TEST(cobs_long_blocks)
{
    uint8_t in[600], enc[700], dec[700];
    for (int i = 0; i < 600; i++) {
        in[i] = (uint8_t)(i % 7 == 0 ? 0 : i);
    }
    memset(in + 100, 0x33, 300); /* a run longer than 254 non-zero bytes */
    size_t n = cobs_encode(in, sizeof in, enc);
    for (size_t i = 0; i < n; i++) {
        CHECK(enc[i] != 0);
    }
    CHECK_EQ(cobs_decode(enc, n, dec, sizeof dec), 600);
    CHECK(memcmp(in, dec, 600) == 0);
}

static uint8_t s_cap[20000];
static size_t s_cap_n;
static void cap_sink(const uint8_t *p, size_t n)
{
    memcpy(s_cap + s_cap_n, p, n);
    s_cap_n += n;
}

TEST(frame_streaming_tx_matches_encoder)
{
    static uint8_t payload[4096], raw[4200], out[4300];
    for (size_t len = 0; len < sizeof payload; len = len * 3 + 1) {
        for (size_t i = 0; i < len; i++) {
            payload[i] = (uint8_t)(i % 300 < 260 ? (i * 13 + 1) : 0); /* long non-zero runs and zeros */
        }
        size_t n = frame_encode(0xA0, 0x1234, 0, payload, (uint16_t)len, raw, out);
        frame_tx_t tx;
        s_cap_n = 0;
        frame_tx_begin(&tx, cap_sink, 0xA0, 0x1234, 0, (uint16_t)len);
        frame_tx_put(&tx, payload, len / 2);
        frame_tx_put(&tx, payload + len / 2, len - len / 2);
        frame_tx_end(&tx);
        CHECK_EQ(s_cap_n, n);
        CHECK(memcmp(s_cap, out, n) == 0);
    }
}
