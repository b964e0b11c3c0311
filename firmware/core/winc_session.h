/* The network steps RUN_JOB and PROVE_IDENTITY share, with their protocol errors:
 * WINC up in normal mode, Wi-Fi joined, server name resolved, TLS connected. */
#ifndef WINC_SESSION_H
#define WINC_SESSION_H
#include <stdbool.h>
#include <stdint.h>
#include "http_client.h"
#include "job.h"
#include "proto_events.h"

/* The WINC running its firmware with the HIF on. If it is in download mode or off it is
 * restarted; with announce the restart is reported (STATE REINIT, WINC_READY). */
int session_winc_up(uint8_t phase, bool announce, proto_error_t *err);
/* Joined to the configured network (joins only if not joined); sends WIFI_CONNECTED.
 * The caller announces the WIFI_CONNECT phase. */
int session_join(const job_cfg_t *c, proto_error_t *err);
/* Dotted IPv4 or a DNS name -> address. */
int session_resolve(const char *host, uint8_t ip[4], uint8_t phase, proto_error_t *err);
/* TLS connection on the one socket; opts are SOCK_OPT_*. Failures: TIMEOUT,
 * CERT_VERIFICATION_FAILED (refused locally, with the alert), TLS_CONNECT_FAILED (with the
 * WINC error, its source and the alert, e.g. source 1 when the server refused the handshake). */
int session_tls_connect(const uint8_t ip[4], uint16_t port, const char *sni, uint8_t opts, uint8_t phase,
                        uint8_t entry, proto_error_t *err);
/* HTTP over the connected socket */
const http_io_t *session_http_io(void);
#endif
