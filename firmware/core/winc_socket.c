#include "winc_socket.h"
#include <string.h>
#include "hal.h"
#include "winc_hif.h"
#include "winc_regs.h"
#include "winc_wifi.h"

#define SOCK_ID 0
#define RX_BUF 1460u

static uint16_t s_session;
static bool s_tls, s_open;
static uint16_t s_tls_offset;
static volatile int s_dns_done;
static uint8_t s_dns_ip[4];
static volatile int s_conn_done;
static uint8_t s_conn_reply[4];
static volatile int s_send_done;
static int16_t s_sent;
static volatile int s_recv_done;
static int16_t s_recv_status;
static uint8_t s_rx[RX_BUF];
static size_t s_rx_len, s_rx_pos;

static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static void on_ip(uint8_t op, uint32_t addr, uint16_t len)
{
    uint8_t b[68];
    switch (op) {
    case SOCKET_CMD_DNS_RESOLVE:
        if (len >= 68 && hif_read(addr, b, 68) == 0) {
            memcpy(s_dns_ip, b + 64, 4);
            s_dns_done = 1;
        }
        break;
    case SOCKET_CMD_CONNECT:
    case SOCKET_CMD_SSL_CONNECT:
        if (len >= 4 && hif_read(addr, b, 4) == 0 && (int8_t)b[0] == SOCK_ID) {
            memcpy(s_conn_reply, b, 4);
            s_conn_done = 1;
        }
        break;
    case SOCKET_CMD_SEND:
    case SOCKET_CMD_SSL_SEND:
        if (len >= 8 && hif_read(addr, b, 8) == 0 && (int8_t)b[0] == SOCK_ID &&
            (uint16_t)(b[4] | (b[5] << 8)) == s_session) {
            s_sent = (int16_t)(b[2] | (b[3] << 8));
            s_send_done = 1;
        }
        break;
    case SOCKET_CMD_RECV:
    case SOCKET_CMD_SSL_RECV:
    case 0x48: /* RECVFROM */
        if (len >= SOCK_RECV_SIZE && hif_read(addr, b, SOCK_RECV_SIZE) == 0 && (int8_t)b[12] == SOCK_ID &&
            (uint16_t)(b[14] | (b[15] << 8)) == s_session) {
            int16_t st = (int16_t)(b[8] | (b[9] << 8));
            uint16_t off = (uint16_t)(b[10] | (b[11] << 8));
            s_rx_len = 0;
            s_rx_pos = 0;
            if (st > 0) {
                size_t n = (size_t)st;
                if (n > RX_BUF || (size_t)off + n > len) {
                    st = SOCK_ERR_CONN_ABORTED; /* malformed */
                } else if (hif_read(addr + off, s_rx, n) == 0) {
                    s_rx_len = n;
                } else {
                    st = SOCK_ERR_CONN_ABORTED;
                }
            }
            s_recv_status = st;
            s_recv_done = 1;
        }
        break;
    default:
        break;
    }
}

void sock_init(void)
{
    hif_set_handler(HIF_GID_IP, on_ip);
}

static int wait_flag(volatile int *flag, uint32_t timeout_ms)
{
    uint32_t start = hal_millis();
    while (!*flag) {
        if (g_net_abort) {
            return SOCK_ERR_ABORT;
        }
        if ((uint32_t)(hal_millis() - start) > timeout_ms) {
            return SOCK_ERR_TIMEOUT_;
        }
        wait_step();
    }
    return SOCK_OK;
}

sock_err_t sock_dns(const char *host, uint8_t ip[4], uint32_t timeout_ms)
{
    size_t n = strlen(host);
    if (n == 0 || n >= 64) {
        return SOCK_ERR_DNS;
    }
    s_dns_done = 0;
    if (hif_send(HIF_GID_IP, SOCKET_CMD_DNS_RESOLVE, (const uint8_t *)host, (uint16_t)(n + 1), NULL, 0, 0) != 0) {
        return SOCK_ERR_SEND;
    }
    int r = wait_flag(&s_dns_done, timeout_ms);
    if (r != SOCK_OK) {
        return (sock_err_t)r;
    }
    if (!s_dns_ip[0] && !s_dns_ip[1] && !s_dns_ip[2] && !s_dns_ip[3]) {
        return SOCK_ERR_DNS;
    }
    memcpy(ip, s_dns_ip, 4);
    return SOCK_OK;
}

bool sock_is_open(void) { return s_open; }

sock_err_t sock_connect(const uint8_t ip[4], uint16_t port, uint8_t opts, const char *sni, uint32_t timeout_ms,
                        sock_fail_t *fail)
{
    const bool tls = (opts & SOCK_OPT_TLS) != 0;
    memset(fail, 0, sizeof *fail);
    if (s_open) {
        sock_close();
    }
    s_session++;
    if (s_session == 0) {
        s_session = 1;
    }
    s_tls = tls;
    uint8_t flags = 0;
    if (tls) {
        uint8_t c[4] = {SOCK_ID, 0, 0, 0};
        if (hif_send(HIF_GID_IP, SOCKET_CMD_SSL_CREATE, c, sizeof c, NULL, 0, 0) != 0) {
            return SOCK_ERR_SEND;
        }
        if (sni && sni[0]) {
            uint8_t o[72];
            size_t n = strlen(sni);
            if (n >= 64) {
                return SOCK_ERR_CONNECT;
            }
            memset(o, 0, sizeof o);
            o[0] = SOCK_ID;
            o[1] = SSL_OPT_SNI;
            wr16(o + 2, s_session);
            o[4] = (uint8_t)n;
            memcpy(o + 8, sni, n);
            if (hif_send(HIF_GID_IP, SOCKET_CMD_SSL_SET_SOCK_OPT, o, sizeof o, NULL, 0, 0) != 0) {
                return SOCK_ERR_SEND;
            }
        }
        flags = SSL_FLAGS_ACTIVE | SSL_FLAGS_NO_TX_COPY | ((opts & SOCK_OPT_CHECK_SNI) ? SSL_FLAGS_CHECK_SNI : 0u) |
                ((opts & SOCK_OPT_BYPASS_X509) ? SSL_FLAGS_BYPASS_X509 : 0u);
    }
    uint8_t c[12];
    memset(c, 0, sizeof c);
    c[0] = 2; /* AF_INET */
    c[2] = (uint8_t)(port >> 8);
    c[3] = (uint8_t)port;
    memcpy(c + 4, ip, 4);
    c[8] = SOCK_ID;
    c[9] = flags;
    wr16(c + 10, s_session);
    s_conn_done = 0;
    if (hif_send(HIF_GID_IP, tls ? SOCKET_CMD_SSL_CONNECT : SOCKET_CMD_CONNECT, c, sizeof c, NULL, 0, 0) != 0) {
        return SOCK_ERR_SEND;
    }
    int r = wait_flag(&s_conn_done, timeout_ms);
    if (r != SOCK_OK) {
        return (sock_err_t)r;
    }
    if ((int8_t)s_conn_reply[1] != 0) {
        fail->winc_error = (int8_t)s_conn_reply[1];
        fail->err_source = s_conn_reply[2];
        fail->alert = s_conn_reply[3];
        return SOCK_ERR_CONNECT;
    }
    uint16_t off = (uint16_t)(s_conn_reply[2] | (s_conn_reply[3] << 8));
    s_tls_offset = tls ? (uint16_t)(off >= 24u ? off - 8u : 85u) : (uint16_t)TCP_SEND_DATA_OFFSET;
    s_open = true;
    s_rx_len = s_rx_pos = 0;
    return SOCK_OK;
}

sock_err_t sock_send(const uint8_t *data, size_t n, uint32_t timeout_ms)
{
    while (n) {
        size_t chunk = n > SOCK_SEND_MAX ? SOCK_SEND_MAX : n;
        uint8_t c[16];
        memset(c, 0, sizeof c);
        c[0] = SOCK_ID;
        wr16(c + 2, (uint16_t)chunk);
        wr16(c + 12, s_session);
        s_send_done = 0;
        uint8_t op = (uint8_t)((s_tls ? SOCKET_CMD_SSL_SEND : SOCKET_CMD_SEND) | HIF_REQ_DATA_PKT);
        if (hif_send(HIF_GID_IP, op, c, sizeof c, data, (uint16_t)chunk, s_tls_offset) != 0) {
            return SOCK_ERR_SEND;
        }
        int r = wait_flag(&s_send_done, timeout_ms);
        if (r != SOCK_OK) {
            return (sock_err_t)r;
        }
        if (s_sent <= 0) {
            return SOCK_ERR_IO;
        }
        data += chunk;
        n -= chunk;
    }
    return SOCK_OK;
}

int sock_recv(uint8_t *buf, size_t max, uint32_t timeout_ms)
{
    if (s_rx_pos >= s_rx_len) {
        uint8_t c[8];
        memset(c, 0, sizeof c);
        c[0] = (uint8_t)timeout_ms;
        c[1] = (uint8_t)(timeout_ms >> 8);
        c[2] = (uint8_t)(timeout_ms >> 16);
        c[3] = (uint8_t)(timeout_ms >> 24);
        c[4] = SOCK_ID;
        wr16(c + 6, s_session);
        s_recv_done = 0;
        s_rx_len = s_rx_pos = 0;
        if (hif_send(HIF_GID_IP, s_tls ? SOCKET_CMD_SSL_RECV : SOCKET_CMD_RECV, c, sizeof c, NULL, 0, 0) != 0) {
            return SOCK_ERR_SEND;
        }
        int r = wait_flag(&s_recv_done, timeout_ms + 2000u);
        if (r != SOCK_OK) {
            return r;
        }
        if (s_recv_status == SOCK_ERR_TIMEOUT) {
            return SOCK_ERR_TIMEOUT_;
        }
        if (s_recv_status == 0 || s_recv_status == SOCK_ERR_CONN_ABORTED) {
            return 0;
        }
        if (s_recv_status < 0) {
            return SOCK_ERR_IO;
        }
    }
    size_t n = s_rx_len - s_rx_pos;
    if (n > max) {
        n = max;
    }
    memcpy(buf, s_rx + s_rx_pos, n);
    s_rx_pos += n;
    return (int)n;
}

void sock_close(void)
{
    if (!s_open) {
        return;
    }
    uint8_t c[4] = {SOCK_ID, 0, (uint8_t)s_session, (uint8_t)(s_session >> 8)};
    (void)hif_send(HIF_GID_IP, s_tls ? SOCKET_CMD_SSL_CLOSE : SOCKET_CMD_CLOSE, c, sizeof c, NULL, 0, 0);
    s_open = false;
}
