#include "winc_session.h"
#include "winc_drv.h"
#include "winc_hif.h"
#include "winc_regs.h"
#include "winc_socket.h"
#include "winc_wifi.h"

#define WIFI_TIMEOUT_MS 20000u
#define NET_TIMEOUT_MS 10000u

int session_winc_up(uint8_t phase, bool announce, proto_error_t *err)
{
    if (!g_winc.running) {
        if (announce) {
            evt_state(STATE_RUNNING, PHASE_REINIT);
        }
        hif_enable(false);
        if (winc_start() != WINC_OK) {
            return proto_fail(err, ERR_WINC_NOT_RESPONDING, announce ? PHASE_REINIT : phase, 0xFF, "WINC did not start");
        }
        if (announce) {
            evt_winc_ready();
        }
    }
    hif_enable(true);
    return 0;
}

int session_join(const job_cfg_t *c, proto_error_t *err)
{
    uint8_t ip[4];
    if (!wifi_joined()) {
        uint8_t con_err = 0;
        wifi_err_t we = wifi_connect(c->ssid, c->security, c->pass, WIFI_TIMEOUT_MS, ip, &con_err);
        if (we == WIFI_ERR_ABORT) {
            return proto_fail(err, ERR_CANCELLED, PHASE_WIFI_CONNECT, 0xFF, "cancelled");
        }
        if (we == WIFI_ERR_TIMEOUT) {
            return proto_fail(err, ERR_TIMEOUT, PHASE_WIFI_CONNECT, 0xFF, "no connection to the access point in time");
        }
        if (we != WIFI_OK) {
            proto_fail(err, ERR_WIFI_CONNECT_FAILED, PHASE_WIFI_CONNECT, 0xFF,
                       con_err == 3 ? "could not join the network (authentication failed)"
                                    : (con_err == 1 ? "could not join the network (access point not found)"
                                                    : "could not join the network"));
            err->winc_error = (int8_t)con_err;
            return -1;
        }
    }
    wifi_ip(ip);
    evt_wifi_connected(ip);
    return 0;
}

static int parse_ipv4(const char *s, uint8_t ip[4])
{
    for (int i = 0; i < 4; i++) {
        if (*s < '0' || *s > '9') {
            return -1;
        }
        unsigned v = 0;
        int d = 0;
        while (*s >= '0' && *s <= '9' && d < 4) {
            v = v * 10u + (unsigned)(*s++ - '0');
            d++;
        }
        if (v > 255u || (i < 3 && *s++ != '.')) {
            return -1;
        }
        ip[i] = (uint8_t)v;
    }
    return *s ? -1 : 0;
}

int session_resolve(const char *host, uint8_t ip[4], uint8_t phase, proto_error_t *err)
{
    if (parse_ipv4(host, ip) == 0) {
        return 0;
    }
    sock_err_t de = sock_dns(host, ip, NET_TIMEOUT_MS);
    if (de == SOCK_ERR_ABORT) {
        return proto_fail(err, ERR_CANCELLED, phase, 0xFF, "cancelled");
    }
    if (de != SOCK_OK) {
        return proto_fail(err, de == SOCK_ERR_TIMEOUT_ ? ERR_TIMEOUT : ERR_DNS_FAILED, phase, 0xFF,
                          "server name did not resolve");
    }
    return 0;
}

int session_tls_connect(const uint8_t ip[4], uint16_t port, const char *sni, uint8_t opts, uint8_t phase,
                        uint8_t entry, proto_error_t *err)
{
    sock_fail_t sf;
    sock_err_t se = sock_connect(ip, port, (uint8_t)(opts | SOCK_OPT_TLS), sni && sni[0] ? sni : NULL, NET_TIMEOUT_MS, &sf);
    if (se == SOCK_OK) {
        return 0;
    }
    if (se == SOCK_ERR_ABORT) {
        return proto_fail(err, ERR_CANCELLED, phase, entry, "cancelled");
    }
    if (se == SOCK_ERR_TIMEOUT_ || sf.winc_error == SOCK_ERR_TIMEOUT) {
        return proto_fail(err, ERR_TIMEOUT, phase, entry, "TLS connect timed out");
    }
    if (sf.err_source == 2 && sf.alert) {
        proto_fail(err, ERR_CERT_VERIFICATION_FAILED, phase, entry,
                   "certificate verification failed: server certificate not trusted by the module");
    } else if (sf.err_source == 1 && sf.alert) {
        proto_fail(err, ERR_TLS_CONNECT_FAILED, phase, entry, "the server refused the TLS handshake");
    } else {
        proto_fail(err, ERR_TLS_CONNECT_FAILED, phase, entry, "TLS connection failed");
    }
    err->winc_error = sf.winc_error;
    err->winc_err_source = sf.err_source;
    err->tls_alert = sf.err_source ? sf.alert : 0;
    return -1;
}

static int io_send(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    return sock_send(p, n, NET_TIMEOUT_MS) == SOCK_OK ? 0 : -1;
}

static int io_recv(void *ctx, uint8_t *p, size_t max)
{
    (void)ctx;
    return sock_recv(p, max, NET_TIMEOUT_MS);
}

const http_io_t *session_http_io(void)
{
    static const http_io_t io = {io_send, io_recv, NULL};
    return &io;
}
