/* Events and error bodies sent to the app (docs/serial-protocol.md 3.4, 4.4).
 * Implemented by the protocol server (app.c); used by the job runner. */
#ifndef PROTO_EVENTS_H
#define PROTO_EVENTS_H
#include <stdint.h>

typedef struct {
    uint16_t code;
    uint8_t phase;
    uint8_t entry;          /* 0xFF if none */
    int8_t winc_error;
    uint8_t winc_err_source;
    uint8_t tls_alert;
    char message[96];
} proto_error_t;

void proto_error_set(proto_error_t *e, uint16_t code, uint8_t phase, uint8_t entry, const char *msg);
/* proto_error_set, then -1 (for "return proto_fail(...)") */
int proto_fail(proto_error_t *e, uint16_t code, uint8_t phase, uint8_t entry, const char *msg);

void evt_log(uint8_t level, const char *text);
void evt_progress(uint8_t phase, uint32_t done, uint32_t total);
void evt_state(uint8_t state, uint8_t phase);
void evt_u8_str(uint8_t type, uint8_t a, const char *s);             /* DOWNLOAD_STARTED */
void evt_file_packet(uint8_t entry, uint32_t received, uint32_t size);
void evt_file_downloaded(uint8_t entry, uint32_t size, const char *name);
void evt_cert_found(uint8_t entry, uint8_t cert_type, const char *cn, uint32_t cn_len);
void evt_simple(uint8_t type);                                       /* WINC_DOWNLOAD_MODE */
void evt_wifi_connected(const uint8_t ip[4]);
void evt_section_verified(uint8_t section, uint32_t length);
void evt_root_written(uint8_t entry, uint8_t count);
void evt_tls_written(uint8_t files, uint32_t bytes);
void evt_winc_ready(void);
/* called by long waits: keeps the 10 s event rule and serves HELLO/PING/CANCEL */
void proto_heartbeat(uint8_t phase);
#endif
