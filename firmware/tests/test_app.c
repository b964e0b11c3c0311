/* Protocol server (app.c) through an in-memory serial link to the host HAL and the WINC model. */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "test.h"
#include "app.h"
#include "crc.h"
#include "frame.h"
#include "hal.h"
#include "hal_host.h"
#include "winc_model.h"

static int s_peer = -1;
static frame_rx_t s_rx;
static uint8_t s_raw[9000], s_wire[9300];

static void setup(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    s_peer = sv[1];
    wm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    memset(wm_flash(), 0xFF, WM_FLASH_SIZE);
    wm_init(&cfg);
    hal_host_set_spi_backend(NULL);
    hal_host_set_board("feather-m0-wifi");
    hal_host_set_serial_fd(sv[0]);
    frame_rx_init(&s_rx);
    frame_rx_set_limit(&s_rx, PROTO_BOARD_MAX_PAYLOAD);
    app_init();
}

static void send_req(uint8_t type, uint16_t id, uint8_t flags, const uint8_t *p, uint16_t n)
{
    size_t w = frame_encode(type, id, flags, p, n, s_raw, s_wire);
    CHECK_EQ(write(s_peer, s_wire, w), (long long)w);
}

/* next frame of the given type (events are skipped) */
static int wait_frame(uint8_t type, frame_t *f, uint32_t timeout_ms)
{
    uint32_t start = hal_millis();
    while ((uint32_t)(hal_millis() - start) < timeout_ms) {
        app_poll();
        uint8_t b;
        while (read(s_peer, &b, 1) == 1) {
            if (frame_rx_byte(&s_rx, b, f) && f->type == type) {
                return 0;
            }
        }
    }
    return -1;
}

static uint16_t err_of(const frame_t *f) { return (f->flags & 1) ? (uint16_t)(f->payload[0] | (f->payload[1] << 8)) : 0; }

TEST(app_hello_and_limits)
{
    setup();
    frame_t f;
    uint8_t hm[2] = {0x00, 0x10}; /* 4096 */
    send_req(0x01, 1, 0, hm, 2);
    CHECK_EQ(wait_frame(0x81, &f, 2000), 0);
    CHECK_EQ(f.request_id, 1);
    CHECK_EQ(f.payload[0], 1);                       /* protocol version */
    CHECK_EQ(f.payload[4], 3);                       /* boardKind feather */
    CHECK(f.payload[5] & 2);                         /* HOST_BUILD */
    uint8_t small[2] = {0x10, 0x00};                 /* 16: below 256 */
    send_req(0x01, 2, 0, small, 2);
    CHECK_EQ(wait_frame(0x81, &f, 2000), 0);
    CHECK_EQ(err_of(&f), 2);                         /* BAD_PAYLOAD */
}

TEST(app_hello_1_1_and_winc_info)
{
    setup();
    frame_t f;
    uint8_t hm[2] = {0x00, 0x04};
    send_req(0x01, 40, 0, hm, 2);
    CHECK_EQ(wait_frame(0x81, &f, 2000), 0);
    CHECK_EQ(f.payload[1], 1);                                  /* revision 1.1 */
    uint32_t caps = (uint32_t)f.payload[5] | ((uint32_t)f.payload[6] << 8);
    CHECK_EQ(caps & 0xE0u, 0xE0u);                              /* WINC_INFO, REMOVE_ROOTS, PROVE_IDENTITY */
    uint8_t vl = f.payload[25];
    CHECK_EQ(f.payload_len, 26u + vl + 16u);                    /* ... state, status */
    CHECK_EQ(f.payload[f.payload_len - 1] & ~0x07u, 0);
    /* BUSY while the WINC still starts after power-up: ask again */
    uint16_t id = 41;
    uint32_t t0 = hal_millis();
    for (;;) {
        send_req(0x04, id++, 0, NULL, 0);
        CHECK_EQ(wait_frame(0x84, &f, 2000), 0);
        if (err_of(&f) != 5 || (uint32_t)(hal_millis() - t0) > 3000u) {
            break;
        }
        for (uint32_t t = hal_millis(); (uint32_t)(hal_millis() - t) < 20u;) {
            app_poll();
        }
    }
    CHECK_EQ(f.flags, 0);
    CHECK_EQ(f.payload_len, 13);
    static const uint8_t mac[6] = {0xF8, 0xF0, 0x05, 0x00, 0x12, 0x34}; /* the model's default OTP address */
    CHECK(memcmp(f.payload, mac, 6) == 0);
    CHECK_EQ(f.payload[6] | (f.payload[7] << 8) | (f.payload[8] << 16), 0x1503A0);
    CHECK_EQ(f.payload[10], 19);
    send_req(0x04, 242, 0, hm, 1);                              /* takes no payload */
    CHECK_EQ(wait_frame(0x84, &f, 2000), 0);
    CHECK_EQ(err_of(&f), 2);
}

TEST(app_errors_and_retransmit)
{
    setup();
    frame_t f;
    send_req(0x3E, 3, 0, NULL, 0); /* unknown request type */
    CHECK_EQ(wait_frame(0xBE, &f, 2000), 0);
    CHECK_EQ(err_of(&f), 1);
    uint8_t w[6] = {0x00, 0x30, 0, 0, 0xAA, 0xBB}; /* WRITE_FLASH at 0x3000 */
    send_req(0x21, 4, 0, w, 6);
    CHECK_EQ(wait_frame(0xA1, &f, 2000), 0);
    CHECK_EQ(err_of(&f), 10);
    CHECK_EQ(f.payload[2], 6); /* phase WRITE */
    uint8_t e[8] = {0x00, 0x50, 0, 0, 0x00, 0x08, 0, 0};
    send_req(0x22, 5, 0, e, 8); /* ERASE_FLASH 0x5000 + 2048: not a multiple of 4096 */
    CHECK_EQ(wait_frame(0xA2, &f, 2000), 0);
    CHECK_EQ(err_of(&f), 11);
    send_req(0x13, 6, 0, NULL, 0);
    CHECK_EQ(wait_frame(0x93, &f, 2000), 0);
    CHECK_EQ(err_of(&f), 7); /* NOT_CONFIGURED */
    send_req(0x13, 6, 2, NULL, 0); /* retransmit: same answer, not re-executed */
    CHECK_EQ(wait_frame(0x93, &f, 2000), 0);
    CHECK_EQ(f.request_id, 6);
    CHECK_EQ(err_of(&f), 7);
    uint8_t bad[4] = {1, 0, 0, 0};
    size_t n = frame_encode(0x02, 7, 0, bad, 4, s_raw, s_wire);
    s_wire[5] ^= 0x40; /* corrupt: dropped silently, counted */
    CHECK_EQ(write(s_peer, s_wire, n), (long long)n);
    send_req(0x03, 8, 0, NULL, 0);
    CHECK_EQ(wait_frame(0x83, &f, 2000), 0);
    CHECK_EQ(f.request_id, 8);
    uint32_t crc_err = (uint32_t)f.payload[4] | ((uint32_t)f.payload[5] << 8);
    uint32_t other = (uint32_t)f.payload[8] | ((uint32_t)f.payload[9] << 8);
    CHECK_EQ(crc_err + other, 1);
    uint32_t retx = (uint32_t)f.payload[16];
    CHECK_EQ(retx, 1);
}

TEST(app_flash_round_trip)
{
    setup();
    frame_t f;
    send_req(0x24, 9, 0, NULL, 0); /* ERASE_TLS_STORE */
    CHECK_EQ(wait_frame(0xA4, &f, 3000), 0);
    CHECK_EQ(f.flags, 0);
    uint8_t w[4 + 300];
    w[0] = 0x10; w[1] = 0x50; w[2] = 0; w[3] = 0;
    for (int i = 0; i < 300; i++) {
        w[4 + i] = (uint8_t)(i ^ 0x5A);
    }
    send_req(0x21, 10, 0, w, sizeof w);
    CHECK_EQ(wait_frame(0xA1, &f, 3000), 0);
    CHECK_EQ(f.flags, 0);
    uint8_t r[6] = {0x10, 0x50, 0, 0, 0x2C, 0x01}; /* 300 bytes at 0x5010 */
    send_req(0x20, 11, 0, r, 6);
    CHECK_EQ(wait_frame(0xA0, &f, 3000), 0);
    CHECK_EQ(f.payload_len, 300);
    CHECK(memcmp(f.payload, w + 4, 300) == 0);
    uint8_t big[6] = {0, 0, 0, 0, 0x01, 0x20}; /* 8193 > hostMaxPayload */
    send_req(0x20, 12, 0, big, 6);
    CHECK_EQ(wait_frame(0xA0, &f, 3000), 0);
    CHECK_EQ(err_of(&f), 3);
    uint8_t oor[6] = {0, 0, 8, 0, 0x10, 0}; /* 0x80000: beyond 512 KiB */
    send_req(0x20, 13, 0, oor, 6);
    CHECK_EQ(wait_frame(0xA0, &f, 3000), 0);
    CHECK_EQ(err_of(&f), 9);
    send_req(0x25, 14, 0, NULL, 0);
    CHECK_EQ(wait_frame(0xA5, &f, 5000), 0);
    CHECK_EQ(f.flags, 0);
    CHECK_EQ(f.payload[0] | (f.payload[1] << 8) | (f.payload[2] << 16), 0x1503A0);
}
