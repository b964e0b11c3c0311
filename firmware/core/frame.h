/* Serial framing: 0x00 | COBS(raw) | 0x00, raw = header + payload + CRC-16/CCITT-FALSE (LE). */
#ifndef FRAME_H
#define FRAME_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "protocol_defs.h"

size_t cobs_encode(const uint8_t *in, size_t n, uint8_t *out);
/* returns decoded length or -1 if invalid */
int cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t out_max);

typedef struct {
    uint8_t version;
    uint8_t type;
    uint16_t request_id;
    uint8_t flags;
    uint16_t payload_len;
    const uint8_t *payload;
} frame_t;

typedef struct {
    uint32_t frames_received, crc_errors, other_errors;
} frame_stats_t;

#define FRAME_RX_ENC_MAX PROTO_COBS_MAX(PROTO_OVERHEAD + PROTO_BOARD_MAX_PAYLOAD)

typedef struct {
    uint8_t enc[FRAME_RX_ENC_MAX];   /* decoded in place */
    size_t n;
    size_t limit;       /* current encoded-size limit */
    bool discarding;
    frame_stats_t stats;
} frame_rx_t;

void frame_rx_init(frame_rx_t *rx);
/* Set the receive payload limit (<= PROTO_BOARD_MAX_PAYLOAD). */
void frame_rx_set_limit(frame_rx_t *rx, size_t max_payload);
/* Feed one byte; returns true when *out holds a valid frame (payload points into rx). */
bool frame_rx_byte(frame_rx_t *rx, uint8_t b, frame_t *out);

/* Streaming transmitter: COBS-encodes and CRCs on the fly, no frame buffer. */
typedef void (*frame_sink_t)(const uint8_t *p, size_t n);
typedef struct {
    frame_sink_t sink;
    uint8_t blk[255];
    uint8_t n;          /* data bytes in blk[1..] */
    uint16_t crc;
    uint32_t remaining; /* payload bytes still expected */
} frame_tx_t;
void frame_tx_begin(frame_tx_t *tx, frame_sink_t sink, uint8_t type, uint16_t request_id, uint8_t flags,
                    uint16_t payload_len);
void frame_tx_put(frame_tx_t *tx, const uint8_t *p, size_t n);
void frame_tx_end(frame_tx_t *tx);

/* Build raw frame + encode into out (must hold PROTO_COBS_MAX(9+len)+2). Returns wire length. */
size_t frame_encode(uint8_t type, uint16_t request_id, uint8_t flags, const uint8_t *payload, uint16_t len,
                    uint8_t *raw_scratch, uint8_t *out);
#endif
