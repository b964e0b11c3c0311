/*
 * WINC model, network side: Wi-Fi join + DHCP (simulated), DNS (host resolver),
 * TCP and TLS 1.2 client sockets on real host sockets (OpenSSL). A TLS server is
 * trusted only if its chain ends at a root whose subject-name hash is in the
 * model's flash root store (0x4000) and whose stored key verifies the top
 * certificate (winc-tls-client.md "How the module decides to trust a server").
 * Cipher suites: the WINC defaults without ECC (winc-tls-client.md bits 0-9).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "root_store.h"
#include "tls_store.h"
#include "winc_flash_layout.h"
#include "winc_model.h"
#include "winc_regs.h"
#include "x509.h"

#define NSOCK 11
#define APP_DATA_OFFSET 93u  /* SSL send data at payload offset 85, like pre-19.4 firmware */
#define RECV_DATA_OFFSET 16u
#define RECV_MAX 1400u
#define WINC_CIPHERS "AES128-SHA:AES128-SHA256:DHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA256:AES128-GCM-SHA256:" \
                     "DHE-RSA-AES128-GCM-SHA256:AES256-SHA:AES256-SHA256:DHE-RSA-AES256-SHA:DHE-RSA-AES256-SHA256"

typedef struct {
    int fd;
    bool ssl_on;
    SSL *ssl;
    char sni[65];
    uint16_t session;
    bool recv_pending;
    uint32_t recv_deadline; /* 0 = forever */
    uint8_t recv_op;
    enum { CONN_NONE, CONN_TCP, CONN_TLS } connecting; /* non-blocking connect in progress */
    uint8_t conn_flags;
    uint32_t conn_deadline;
    uint8_t peer_alert;     /* TLS alert the server sent during the handshake, 0 if none */
} wsock_t;

static struct {
    const char *ssid, *psk;
    bool joined;
    uint32_t con_at, dhcp_at;
    wsock_t s[NSOCK];
    SSL_CTX *ctx;
} N;

static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

void wm_net_config(const wm_config_t *cfg)
{
    N.ssid = cfg->wifi_ssid;
    N.psk = cfg->wifi_psk;
    for (int i = 0; i < NSOCK; i++) {
        N.s[i].fd = -1;
    }
}

static void sock_free(wsock_t *s)
{
    if (s->ssl) {
        SSL_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    s->ssl_on = false;
    s->recv_pending = false;
    s->connecting = CONN_NONE;
    s->sni[0] = 0;
}

void wm_net_reset(void)
{
    for (int i = 0; i < NSOCK; i++) {
        if (N.s[i].fd >= 0 || N.s[i].ssl) {
            sock_free(&N.s[i]);
        }
        N.s[i].fd = -1;
    }
    N.joined = false;
    N.con_at = N.dhcp_at = 0;
}

/* ---- trust check against the flash root store ---- */

static size_t der_len_bytes(size_t n, uint8_t *out)
{
    if (n < 128) {
        out[0] = (uint8_t)n;
        return 1;
    }
    if (n < 256) {
        out[0] = 0x81;
        out[1] = (uint8_t)n;
        return 2;
    }
    out[0] = 0x82;
    out[1] = (uint8_t)(n >> 8);
    out[2] = (uint8_t)n;
    return 3;
}

static size_t der_tlv(uint8_t tag, const uint8_t *v, size_t n, uint8_t *out)
{
    size_t h = 1;
    out[0] = tag;
    h += der_len_bytes(n, out + 1);
    memmove(out + h, v, n);
    return h + n;
}

static size_t der_uint(const uint8_t *v, size_t n, uint8_t *out)
{
    uint8_t tmp[600];
    size_t k = 0;
    if (n && (v[0] & 0x80u)) {
        tmp[k++] = 0;
    }
    memcpy(tmp + k, v, n);
    return der_tlv(0x02, tmp, k + n, out);
}

/* SubjectPublicKeyInfo from a root-store entry */
static EVP_PKEY *entry_pubkey(const uint8_t *e)
{
    static const uint8_t rsa_alg[] = {0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
    static const uint8_t ec_alg[] = {0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
                                     0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
    uint8_t key[1300], bits[1300], spki[1400];
    size_t kl = 0, bl;
    uint32_t type = (uint32_t)e[36] | ((uint32_t)e[37] << 8);
    uint16_t a = rd16(e + 40), b = rd16(e + 42);
    const uint8_t *alg;
    size_t alg_len;
    if (type == ROOT_KEY_RSA) {
        uint8_t ints[1200];
        size_t il = der_uint(e + 44, a, ints);
        il += der_uint(e + 44 + a, b, ints + il);
        kl = der_tlv(0x30, ints, il, key);
        alg = rsa_alg;
        alg_len = sizeof rsa_alg;
    } else if (type == ROOT_KEY_ECDSA && a == X509_CURVE_P256 && b == 32) {
        key[0] = 0x04;
        memcpy(key + 1, e + 44, 64);
        kl = 65;
        alg = ec_alg;
        alg_len = sizeof ec_alg;
    } else {
        return NULL;
    }
    uint8_t bs[1300];
    bs[0] = 0;
    memcpy(bs + 1, key, kl);
    bl = der_tlv(0x03, bs, kl + 1, bits);
    uint8_t body[1400];
    memcpy(body, alg, alg_len);
    memcpy(body + alg_len, bits, bl);
    size_t sl = der_tlv(0x30, body, alg_len + bl, spki);
    const unsigned char *p = spki;
    return d2i_PUBKEY(NULL, &p, (long)sl);
}

/* 0 = trusted; else TLS alert code */
static int check_trust(SSL *ssl, const char *check_host)
{
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    int n = chain ? sk_X509_num(chain) : 0;
    if (n <= 0) {
        return 42; /* bad_certificate */
    }
    for (int i = 0; i < n; i++) {
        X509 *c = sk_X509_value(chain, i);
        if (X509_cmp_current_time(X509_get0_notAfter(c)) < 0) {
            return 45; /* certificate_expired */
        }
        if (i + 1 < n) {
            X509 *issuer = sk_X509_value(chain, i + 1);
            EVP_PKEY *k = X509_get0_pubkey(issuer);
            if (X509_check_issued(issuer, c) != X509_V_OK || !k || X509_verify(c, k) != 1) {
                return 42;
            }
        }
    }
    if (check_host && check_host[0] && X509_check_host(sk_X509_value(chain, 0), check_host, 0, 0, NULL) != 1) {
        return 42;
    }
    X509 *top = sk_X509_value(chain, n - 1);
    unsigned char *der = NULL;
    int dl = i2d_X509(top, &der);
    if (dl <= 0) {
        return 42;
    }
    x509_t parsed;
    x509_err_t pe = x509_parse(der, (size_t)dl, &parsed);
    OPENSSL_free(der);
    if (pe != X509_OK && pe != X509_ERR_KEY) {
        return 42;
    }
    const uint8_t *sector = wm_flash() + WINC_ROOT_STORE_OFFSET;
    int idx = root_store_find(sector, parsed.issuer_sha1);
    if (idx < 0) {
        return 48; /* unknown_ca */
    }
    size_t off, size;
    if (root_store_entry(sector, idx, &off, &size) != 0) {
        return 48;
    }
    EVP_PKEY *rk = entry_pubkey(sector + off);
    int ok = rk && X509_verify(top, rk) == 1;
    EVP_PKEY_free(rk);
    return ok ? 0 : 51; /* decrypt_error */
}

/* ---- the module's client identity (mutual TLS) ---- */

/* PKCS#1 RSAPrivateKey DER from a TLS-store PRIV_ file (winc-cert-store.md 3.5); 0 on failure */
static size_t priv_file_to_der(const uint8_t *f, size_t n, uint8_t *out, size_t max)
{
    static uint8_t body[6000];
    size_t bl = 0, off = TLS_PRIV_HDR_SIZE;
    if (n < TLS_PRIV_HDR_SIZE) {
        return 0;
    }
    static const uint8_t version[3] = {0x02, 0x01, 0x00};
    memcpy(body, version, sizeof version);
    bl = sizeof version;
    for (int i = 0; i < 8; i++) {
        size_t len = rd16(f + 2 * i);
        if (len == 0 || len > 600 || off + len > n || bl + len + 8 > sizeof body) {
            return 0;
        }
        bl += der_uint(f + off, len, body + bl);
        off += WA4(len);
    }
    if (bl + 8 > max) {
        return 0;
    }
    return der_tlv(0x30, body, bl, out);
}

/* The RSA chain listed in RSA.lst and the key it names, set on the connection: the module
 * presents them when the server sends a CertificateRequest (winc-tls-client.md). Nothing is
 * set when the store holds no complete RSA identity: no certificate is sent then. */
static void use_store_identity(SSL *ssl)
{
    const uint8_t *sector = wm_flash() + WINC_TLS_STORE_OFFSET;
    const uint8_t *lst, *priv = NULL;
    size_t lst_len, priv_len = 0;
    if (tls_store_file(sector, "RSA.lst", &lst, &lst_len) != 0 || lst_len < 2u * TLS_FILE_NAME_MAX) {
        return;
    }
    X509 *certs[8];
    int nc = 0;
    for (size_t r = 0; r + TLS_FILE_NAME_MAX <= lst_len && nc < 8; r += TLS_FILE_NAME_MAX) {
        char name[TLS_FILE_NAME_MAX + 1];
        memcpy(name, lst + r, TLS_FILE_NAME_MAX);
        name[TLS_FILE_NAME_MAX] = 0;
        const uint8_t *d;
        size_t dl;
        if (tls_store_file(sector, name, &d, &dl) != 0) {
            continue;
        }
        if (strncmp(name, "PRIV_", 5) == 0) {
            priv = d;
            priv_len = dl;
        } else if (strncmp(name, "CERT_", 5) == 0) {
            const unsigned char *p = d;
            X509 *x = d2i_X509(NULL, &p, (long)dl);
            if (x) {
                certs[nc++] = x;
            }
        }
    }
    static uint8_t der[6000];
    size_t kl = priv ? priv_file_to_der(priv, priv_len, der, sizeof der) : 0;
    const unsigned char *kp = der;
    EVP_PKEY *key = kl ? d2i_PrivateKey(EVP_PKEY_RSA, NULL, &kp, (long)kl) : NULL;
    if (key && nc > 0 && SSL_use_certificate(ssl, certs[0]) == 1 && SSL_use_PrivateKey(ssl, key) == 1 &&
        SSL_check_private_key(ssl) == 1) {
        for (int i = 1; i < nc; i++) {
            SSL_add1_chain_cert(ssl, certs[i]);
        }
    }
    ERR_clear_error();
    EVP_PKEY_free(key);
    for (int i = 0; i < nc; i++) {
        X509_free(certs[i]);
    }
}

static void on_tls_info(const SSL *ssl, int where, int ret)
{
    wsock_t *s = SSL_get_app_data(ssl);
    if (s && (where & SSL_CB_READ_ALERT) && !s->peer_alert) {
        s->peer_alert = (uint8_t)(ret & 0xFF);
    }
}

/* ---- socket commands ---- */

static void post_connect_reply(int sock, int8_t err, uint16_t extra)
{
    uint8_t r[4] = {(uint8_t)sock, (uint8_t)err, 0, 0};
    wr16(r + 2, extra);
    wm_hif_post(HIF_GID_IP, SOCKET_CMD_CONNECT, r, sizeof r, NULL, 0, 0);
}

static void do_connect(const uint8_t *p, uint16_t len, bool tls)
{
    if (len < 12) {
        return;
    }
    int sock = (int8_t)p[8];
    if (sock < 0 || sock >= NSOCK) {
        return;
    }
    wsock_t *s = &N.s[sock];
    s->conn_flags = p[9];
    s->session = rd16(p + 10);
    if (s->ssl) {
        SSL_free(s->ssl);
        s->ssl = NULL;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    memcpy(&sa.sin_port, p + 2, 2);
    memcpy(&sa.sin_addr, p + 4, 4);
    if (!N.joined) {
        post_connect_reply(sock, SOCK_ERR_CONN_ABORTED, 0);
        return;
    }
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->fd < 0) {
        post_connect_reply(sock, SOCK_ERR_CONN_ABORTED, 0);
        return;
    }
    fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
    if (connect(s->fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        bool keep_ssl = s->ssl_on;
        sock_free(s);
        s->ssl_on = keep_ssl;
        post_connect_reply(sock, SOCK_ERR_CONN_ABORTED, 0);
        return;
    }
    s->connecting = (tls && s->ssl_on) ? CONN_TLS : CONN_TCP;
    s->conn_deadline = wm_now_ms() + 8000u; /* below the driver's 10 s wait */
}

/* advances a non-blocking connect / TLS handshake; posts the connect reply when done */
static void connect_step(int sock)
{
    wsock_t *s = &N.s[sock];
    if (!s->ssl) {
        struct pollfd pf = {s->fd, POLLOUT, 0};
        if (poll(&pf, 1, 0) <= 0) {
            goto check_timeout;
        }
        int e = 0;
        socklen_t el = sizeof e;
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (e != 0) {
            sock_free(s);
            post_connect_reply(sock, SOCK_ERR_CONN_ABORTED, 0);
            return;
        }
        if (s->connecting == CONN_TCP) {
            s->connecting = CONN_NONE;
            post_connect_reply(sock, 0, 0);
            return;
        }
        s->ssl = SSL_new(N.ctx);
        SSL_set_fd(s->ssl, s->fd);
        SSL_set_app_data(s->ssl, s);
        SSL_set_info_callback(s->ssl, on_tls_info);
        s->peer_alert = 0;
        use_store_identity(s->ssl);
        if (s->sni[0]) {
            SSL_set_tlsext_host_name(s->ssl, s->sni);
        }
    }
    int r = SSL_connect(s->ssl);
    if (r != 1) {
        int e = SSL_get_error(s->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            goto check_timeout;
        }
        ERR_clear_error();
        uint8_t alert = s->peer_alert;
        sock_free(s);
        /* source 1: refused by the peer, with its alert (19.7 connect-reply layout) */
        post_connect_reply(sock, SOCK_ERR_CONN_ABORTED, (uint16_t)(1u | ((unsigned)alert << 8)));
        return;
    }
    s->connecting = CONN_NONE;
    int alert = (s->conn_flags & SSL_FLAGS_BYPASS_X509)
                    ? 0
                    : check_trust(s->ssl, (s->conn_flags & SSL_FLAGS_CHECK_SNI) ? s->sni : NULL);
    if (alert) {
        /* the module aborts the handshake locally: err source 2, alert code */
        sock_free(s);
        post_connect_reply(sock, SOCK_ERR_CONN_ABORTED, (uint16_t)(2u | ((unsigned)alert << 8)));
        return;
    }
    post_connect_reply(sock, 0, APP_DATA_OFFSET);
    return;
check_timeout:
    if ((int32_t)(wm_now_ms() - s->conn_deadline) >= 0) {
        sock_free(s);
        post_connect_reply(sock, SOCK_ERR_TIMEOUT, 0);
    }
}

static int write_all(wsock_t *s, const uint8_t *d, size_t n)
{
    size_t done = 0;
    while (done < n) {
        int w;
        if (s->ssl) {
            w = SSL_write(s->ssl, d + done, (int)(n - done));
            if (w <= 0) {
                int e = SSL_get_error(s->ssl, w);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                    struct pollfd pf = {s->fd, POLLIN | POLLOUT, 0};
                    poll(&pf, 1, 10);
                    continue;
                }
                return -1;
            }
        } else {
            w = (int)send(s->fd, d + done, n - done, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN) {
                    struct pollfd pf = {s->fd, POLLOUT, 0};
                    poll(&pf, 1, 10);
                    continue;
                }
                return -1;
            }
        }
        done += (size_t)w;
    }
    return (int)done;
}

static void do_send(uint8_t op, const uint8_t *p, uint16_t len)
{
    if (len < 16) {
        return;
    }
    int sock = (int8_t)p[0];
    if (sock < 0 || sock >= NSOCK) {
        return;
    }
    wsock_t *s = &N.s[sock];
    uint16_t n = rd16(p + 2);
    uint16_t off = op == SOCKET_CMD_SSL_SEND ? (uint16_t)(APP_DATA_OFFSET - 8u) : (uint16_t)TCP_SEND_DATA_OFFSET;
    int16_t sent = -12;
    if (s->fd >= 0 && (size_t)off + n <= len) {
        int w = write_all(s, p + off, n);
        sent = w < 0 ? (int16_t)-12 : (int16_t)w;
    }
    uint8_t r[8] = {(uint8_t)sock, 0, 0, 0, 0, 0, 0, 0};
    wr16(r + 2, (uint16_t)sent);
    wr16(r + 4, rd16(p + 12));
    wm_hif_post(HIF_GID_IP, op, r, sizeof r, NULL, 0, 0);
}

static void post_recv(int sock, int16_t status, const uint8_t *data, uint16_t n)
{
    wsock_t *s = &N.s[sock];
    uint8_t r[16];
    memset(r, 0, sizeof r);
    r[0] = 2;
    wr16(r + 8, (uint16_t)status);
    wr16(r + 10, RECV_DATA_OFFSET);
    r[12] = (uint8_t)sock;
    wr16(r + 14, s->session);
    s->recv_pending = false;
    wm_hif_post(HIF_GID_IP, s->recv_op, r, sizeof r, status > 0 ? data : NULL, status > 0 ? n : 0,
                RECV_DATA_OFFSET);
}

static void try_recv(int sock)
{
    wsock_t *s = &N.s[sock];
    uint8_t buf[RECV_MAX];
    if (s->fd < 0) {
        post_recv(sock, SOCK_ERR_CONN_ABORTED, NULL, 0);
        return;
    }
    int r;
    if (s->ssl) {
        r = SSL_read(s->ssl, buf, sizeof buf);
        if (r <= 0) {
            int e = SSL_get_error(s->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                r = -2;
            } else {
                ERR_clear_error();
                r = 0;
            }
        }
    } else {
        r = (int)recv(s->fd, buf, sizeof buf, 0);
        if (r < 0) {
            r = (errno == EAGAIN || errno == EWOULDBLOCK) ? -2 : 0;
        }
    }
    if (r > 0) {
        post_recv(sock, (int16_t)r, buf, (uint16_t)r);
    } else if (r == 0) {
        post_recv(sock, SOCK_ERR_CONN_ABORTED, NULL, 0);
    } else if (s->recv_deadline && (int32_t)(wm_now_ms() - s->recv_deadline) >= 0) {
        post_recv(sock, SOCK_ERR_TIMEOUT, NULL, 0);
    }
}

static void do_dns(const uint8_t *p, uint16_t len)
{
    uint8_t r[68];
    memset(r, 0, sizeof r);
    size_t n = strnlen((const char *)p, len < 64 ? len : 63);
    memcpy(r, p, n);
    char name[65];
    memcpy(name, p, n);
    name[n] = 0;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    if (N.joined && getaddrinfo(name, NULL, &hints, &res) == 0 && res) {
        memcpy(r + 64, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
    }
    if (res) {
        freeaddrinfo(res);
    }
    wm_hif_post(HIF_GID_IP, SOCKET_CMD_DNS_RESOLVE, r, sizeof r, NULL, 0, 0);
}

static void do_wifi_connect(const uint8_t *p, uint16_t len)
{
    if (len < M2M_WIFI_CONNECT_SIZE) {
        return;
    }
    char ssid[34], psk[66];
    memcpy(ssid, p + 70, 33);
    ssid[33] = 0;
    memcpy(psk, p, 65);
    psk[65] = 0;
    uint8_t sec = p[65];
    uint8_t r[4] = {0, 0, 0, 0};
    if (N.ssid && strcmp(N.ssid, ssid) != 0) {
        r[1] = 1; /* scan fail: AP not found */
        wm_hif_post(HIF_GID_WIFI, M2M_WIFI_RESP_CON_STATE_CHANGED, r, sizeof r, NULL, 0, 0);
        return;
    }
    if (sec == M2M_WIFI_SEC_WPA_PSK && (strlen(psk) < 8 || (N.psk && strcmp(N.psk, psk) != 0))) {
        r[1] = 3; /* auth fail */
        wm_hif_post(HIF_GID_WIFI, M2M_WIFI_RESP_CON_STATE_CHANGED, r, sizeof r, NULL, 0, 0);
        return;
    }
    N.con_at = wm_now_ms() + 30u;
    N.dhcp_at = N.con_at + 30u;
}

void wm_net_message(uint8_t gid, uint8_t op, const uint8_t *p, uint16_t len)
{
    if (!N.ctx) {
        N.ctx = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_min_proto_version(N.ctx, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(N.ctx, TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(N.ctx, WINC_CIPHERS ":@SECLEVEL=1");
        SSL_CTX_set_verify(N.ctx, SSL_VERIFY_NONE, NULL);
    }
    if (gid == HIF_GID_WIFI) {
        if (op == M2M_WIFI_REQ_CONNECT) {
            do_wifi_connect(p, len);
        } else if (op == M2M_WIFI_REQ_DISCONNECT) {
            uint8_t r[4] = {0, 0, 0, 0};
            N.joined = false;
            wm_hif_post(HIF_GID_WIFI, M2M_WIFI_RESP_CON_STATE_CHANGED, r, sizeof r, NULL, 0, 0);
        }
        return;
    }
    if (gid != HIF_GID_IP) {
        return;
    }
    int sock = len ? (int8_t)p[0] : -1;
    switch (op) {
    case SOCKET_CMD_DNS_RESOLVE:
        do_dns(p, len);
        break;
    case SOCKET_CMD_SSL_CREATE:
        if (sock >= 0 && sock < NSOCK) {
            N.s[sock].ssl_on = true;
            N.s[sock].sni[0] = 0;
        }
        break;
    case SOCKET_CMD_SSL_SET_SOCK_OPT:
        if (len >= 72 && sock >= 0 && sock < NSOCK && p[1] == SSL_OPT_SNI) {
            uint32_t n = (uint32_t)p[4] | ((uint32_t)p[5] << 8);
            if (n < 64) {
                memcpy(N.s[sock].sni, p + 8, n);
                N.s[sock].sni[n] = 0;
            }
        }
        break;
    case SOCKET_CMD_CONNECT:
        do_connect(p, len, false);
        break;
    case SOCKET_CMD_SSL_CONNECT:
        do_connect(p, len, true);
        break;
    case SOCKET_CMD_SEND:
    case SOCKET_CMD_SSL_SEND:
        do_send(op, p, len);
        break;
    case SOCKET_CMD_RECV:
    case SOCKET_CMD_SSL_RECV:
        if (len >= 8) {
            sock = (int8_t)p[4];
            if (sock >= 0 && sock < NSOCK) {
                uint32_t t = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
                N.s[sock].recv_pending = true;
                N.s[sock].recv_op = op;
                N.s[sock].recv_deadline = (t == 0xFFFFFFFFu || t == 0) ? 0 : wm_now_ms() + t;
            }
        }
        break;
    case SOCKET_CMD_CLOSE:
    case SOCKET_CMD_SSL_CLOSE:
        if (sock >= 0 && sock < NSOCK) {
            if (N.s[sock].ssl) {
                SSL_shutdown(N.s[sock].ssl);
            }
            sock_free(&N.s[sock]);
        }
        break;
    default:
        break;
    }
}

void wm_net_poll(void)
{
    uint32_t now = wm_now_ms();
    if (N.con_at && (int32_t)(now - N.con_at) >= 0) {
        uint8_t r[4] = {1, 0, 0, 0};
        N.con_at = 0;
        N.joined = true;
        wm_hif_post(HIF_GID_WIFI, M2M_WIFI_RESP_CON_STATE_CHANGED, r, sizeof r, NULL, 0, 0);
    }
    if (N.dhcp_at && N.joined && (int32_t)(now - N.dhcp_at) >= 0) {
        static const uint8_t d[20] = {192, 168, 1, 100, 192, 168, 1, 1, 192, 168, 1, 1, 255, 255, 255, 0,
                                      0x10, 0x0E, 0, 0};
        N.dhcp_at = 0;
        wm_hif_post(HIF_GID_WIFI, M2M_WIFI_REQ_DHCP_CONF, d, sizeof d, NULL, 0, 0);
    }
    for (int i = 0; i < NSOCK; i++) {
        if (N.s[i].connecting != CONN_NONE) {
            connect_step(i);
        } else if (N.s[i].recv_pending) {
            try_recv(i);
        }
    }
}
