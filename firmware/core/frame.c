#include "frame.h"
#include <string.h>
#include "crc.h"

size_t cobs_encode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t code_at = 0, o = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == 0) {
            out[code_at] = code;
            code_at = o++;
            code = 1;
        } else {
            out[o++] = in[i];
            code++;
            if (code == 0xFF) {
                out[code_at] = code;
                code_at = o++;
                code = 1;
            }
        }
    }
    out[code_at] = code;
    return o;
}

int cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t out_max)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t code = in[i++];
        if (code == 0) {
            return -1;
        }
        for (uint8_t k = 1; k < code; k++) {
            if (i >= n || in[i] == 0 || o >= out_max) {
                return -1;
            }
            out[o++] = in[i++];
        }
        if (code != 0xFF && i < n) {
            if (o >= out_max) {
                return -1;
            }
            out[o++] = 0;
        }
    }
    return (int)o;
}

void frame_rx_init(frame_rx_t *rx)
{
    memset(rx, 0, sizeof *rx);
    frame_rx_set_limit(rx, PROTO_PRE_HELLO_MAX);
}

void frame_rx_set_limit(frame_rx_t *rx, size_t max_payload)
{
    if (max_payload > PROTO_BOARD_MAX_PAYLOAD) {
        max_payload = PROTO_BOARD_MAX_PAYLOAD;
    }
    rx->limit = PROTO_COBS_MAX(PROTO_OVERHEAD + max_payload);
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

bool frame_rx_byte(frame_rx_t *rx, uint8_t b, frame_t *out)
{
    if (b != 0) {
        if (rx->discarding) {
            return false;
        }
        if (rx->n >= rx->limit) {
            rx->discarding = true;
            rx->n = 0;
            return false;
        }
        rx->enc[rx->n++] = b;
        return false;
    }
    if (rx->discarding) {
        rx->discarding = false;
        rx->stats.other_errors++;
        return false;
    }
    if (rx->n == 0) {
        return false;
    }
    int len = cobs_decode(rx->enc, rx->n, rx->enc, sizeof rx->enc); /* output never overtakes input */
    rx->n = 0;
    if (len < (int)PROTO_OVERHEAD) {
        rx->stats.other_errors++;
        return false;
    }
    uint16_t crc = crc16_ccitt(0xFFFF, rx->enc, (size_t)len - 2u);
    if (crc != rd16(rx->enc + len - 2)) {
        rx->stats.crc_errors++;
        return false;
    }
    uint16_t plen = rd16(rx->enc + 5);
    if ((int)plen != len - (int)PROTO_OVERHEAD) {
        rx->stats.other_errors++;
        return false;
    }
    rx->stats.frames_received++;
    out->version = rx->enc[0];
    out->type = rx->enc[1];
    out->request_id = rd16(rx->enc + 2);
    out->flags = rx->enc[4];
    out->payload_len = plen;
    out->payload = rx->enc + PROTO_HDR_SIZE;
    return true;
}

size_t frame_encode(uint8_t type, uint16_t request_id, uint8_t flags, const uint8_t *payload, uint16_t len,
                    uint8_t *raw, uint8_t *out)
{
    raw[0] = PROTO_VERSION;
    raw[1] = type;
    raw[2] = (uint8_t)request_id;
    raw[3] = (uint8_t)(request_id >> 8);
    raw[4] = flags;
    raw[5] = (uint8_t)len;
    raw[6] = (uint8_t)(len >> 8);
    if (len && payload != raw + PROTO_HDR_SIZE) {
        memmove(raw + PROTO_HDR_SIZE, payload, len);
    }
    uint16_t crc = crc16_ccitt(0xFFFF, raw, PROTO_HDR_SIZE + (size_t)len);
    raw[PROTO_HDR_SIZE + len] = (uint8_t)crc;
    raw[PROTO_HDR_SIZE + len + 1] = (uint8_t)(crc >> 8);
    out[0] = 0;
    size_t n = cobs_encode(raw, PROTO_OVERHEAD + (size_t)len, out + 1);
    out[1 + n] = 0;
    return n + 2;
}

static void tx_byte(frame_tx_t *tx, uint8_t b)
{
    if (b == 0) {
        tx->blk[0] = (uint8_t)(tx->n + 1u);
        tx->sink(tx->blk, (size_t)tx->n + 1u);
        tx->n = 0;
        return;
    }
    tx->blk[++tx->n] = b;
    if (tx->n == 254u) {
        tx->blk[0] = 0xFF;
        tx->sink(tx->blk, 255u);
        tx->n = 0;
    }
}

static void tx_bytes_crc(frame_tx_t *tx, const uint8_t *p, size_t n)
{
    tx->crc = crc16_ccitt(tx->crc, p, n);
    for (size_t i = 0; i < n; i++) {
        tx_byte(tx, p[i]);
    }
}

void frame_tx_begin(frame_tx_t *tx, frame_sink_t sink, uint8_t type, uint16_t request_id, uint8_t flags,
                    uint16_t payload_len)
{
    static const uint8_t zero = 0;
    uint8_t h[PROTO_HDR_SIZE] = {PROTO_VERSION, type, (uint8_t)request_id, (uint8_t)(request_id >> 8), flags,
                                 (uint8_t)payload_len, (uint8_t)(payload_len >> 8)};
    tx->sink = sink;
    tx->n = 0;
    tx->crc = 0xFFFF;
    tx->remaining = payload_len;
    sink(&zero, 1);
    tx_bytes_crc(tx, h, sizeof h);
}

void frame_tx_put(frame_tx_t *tx, const uint8_t *p, size_t n)
{
    if (n > tx->remaining) {
        n = tx->remaining;
    }
    tx->remaining -= (uint32_t)n;
    tx_bytes_crc(tx, p, n);
}

void frame_tx_end(frame_tx_t *tx)
{
    static const uint8_t zero = 0;
    static const uint8_t pad[16] = {0};
    while (tx->remaining) { /* a short producer still yields a well-formed frame */
        frame_tx_put(tx, pad, tx->remaining > sizeof pad ? sizeof pad : tx->remaining);
    }
    uint16_t crc = tx->crc;
    tx_byte(tx, (uint8_t)crc);
    tx_byte(tx, (uint8_t)(crc >> 8));
    tx->blk[0] = (uint8_t)(tx->n + 1u);
    tx->sink(tx->blk, (size_t)tx->n + 1u);
    tx->n = 0;
    tx->sink(&zero, 1);
}
