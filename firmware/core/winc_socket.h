/* DNS and one TCP/TLS client socket over the WINC (winc-host-driver.md 3.8). */
#ifndef WINC_SOCKET_H
#define WINC_SOCKET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef enum { SOCK_OK = 0, SOCK_ERR_SEND = -1, SOCK_ERR_TIMEOUT_ = -2, SOCK_ERR_DNS = -3, SOCK_ERR_CONNECT = -4,
               SOCK_ERR_ABORT = -5, SOCK_ERR_CLOSED = -6, SOCK_ERR_IO = -7 } sock_err_t;
typedef struct {
    int8_t winc_error;      /* connect reply error (e.g. -12) */
    uint8_t err_source;     /* 19.7: TLS alert source (1 peer, 2 local) */
    uint8_t alert;          /* 19.7: TLS alert code */
} sock_fail_t;
void sock_init(void);       /* registers the gid-2 handler */
sock_err_t sock_dns(const char *host, uint8_t ip[4], uint32_t timeout_ms);
/* sock_connect options */
#define SOCK_OPT_TLS         0x01u  /* SSL socket (with SNI when sni is set) */
#define SOCK_OPT_CHECK_SNI   0x02u  /* SSL_FLAGS_CHECK_SNI: the certificate must name sni */
#define SOCK_OPT_BYPASS_X509 0x04u  /* SSL_FLAGS_BYPASS_X509: no server certificate verification */
sock_err_t sock_connect(const uint8_t ip[4], uint16_t port, uint8_t opts, const char *sni, uint32_t timeout_ms,
                        sock_fail_t *fail);
bool sock_is_open(void);
sock_err_t sock_send(const uint8_t *data, size_t n, uint32_t timeout_ms);
/* returns bytes (>0), 0 when the peer closed, or a negative sock_err_t */
int sock_recv(uint8_t *buf, size_t max, uint32_t timeout_ms);
void sock_close(void);
#define SOCK_SEND_MAX 1400u
#endif
