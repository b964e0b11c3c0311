#include "http_client.h"
#include <string.h>

typedef struct {
    const http_io_t *io;
    uint8_t buf[HTTP_HEADER_MAX];
    size_t len, pos;
    int closed;
} rd_t;

/* refill: returns >0 bytes available, 0 closed, <0 error */
static int fill(rd_t *r)
{
    if (r->pos < r->len) {
        return (int)(r->len - r->pos);
    }
    if (r->closed) {
        return 0;
    }
    r->pos = 0;
    r->len = 0;
    int n = r->io->recv(r->io->ctx, r->buf, sizeof r->buf);
    if (n == 0) {
        r->closed = 1;
        return 0;
    }
    if (n < 0) {
        return n;
    }
    r->len = (size_t)n;
    return n;
}

static int getc_(rd_t *r)
{
    int n = fill(r);
    if (n <= 0) {
        return n == 0 ? -2 : -1;
    }
    return r->buf[r->pos++];
}

/* reads a CRLF line (without CRLF) into out; returns length, -1 io, -2 closed, -3 too long */
static int read_line(rd_t *r, char *out, size_t max)
{
    size_t n = 0;
    for (;;) {
        int c = getc_(r);
        if (c < 0) {
            return c;
        }
        if (c == '\n') {
            if (n && out[n - 1] == '\r') {
                n--;
            }
            out[n] = 0;
            return (int)n;
        }
        if (n + 1 >= max) {
            return -3;
        }
        out[n++] = (char)c;
    }
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static int starts_ci(const char *s, const char *prefix)
{
    while (*prefix) {
        if (lower((unsigned char)*s++) != *prefix++) {
            return 0;
        }
    }
    return 1;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return s;
}

static int contains_ci(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && lower((unsigned char)s[i]) == word[i]) {
            i++;
        }
        if (i == n) {
            return 1;
        }
    }
    return 0;
}

static int parse_dec(const char *s, uint32_t *v)
{
    uint64_t x = 0;
    if (*s < '0' || *s > '9') {
        return -1;
    }
    while (*s >= '0' && *s <= '9') {
        x = x * 10u + (uint64_t)(*s++ - '0');
        if (x > 0xFFFFFFF0u) {
            return -1;
        }
    }
    s = skip_ws(s);
    if (*s) {
        return -1;
    }
    *v = (uint32_t)x;
    return 0;
}

static int parse_hex(const char *s, uint32_t *v)
{
    uint64_t x = 0;
    int digits = 0;
    for (;; s++) {
        int c = lower((unsigned char)*s), d;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            d = c - 'a' + 10;
        } else {
            break;
        }
        x = x * 16u + (uint64_t)d;
        if (x > 0xFFFFFFF0u) {
            return -1;
        }
        digits++;
    }
    if (!digits || (*s && *s != ';' && *s != ' ' && *s != '\t')) {
        return -1;
    }
    *v = (uint32_t)x;
    return 0;
}

/* copy n body bytes */
static http_err_t body_bytes(rd_t *r, uint32_t n, uint8_t *body, size_t body_max, http_result_t *res,
                             http_progress_t progress, void *pctx, uint32_t total)
{
    while (n) {
        int a = fill(r);
        if (a < 0) {
            return HTTP_ERR_IO;
        }
        if (a == 0) {
            return HTTP_ERR_TRUNCATED;
        }
        size_t take = (size_t)a < n ? (size_t)a : n;
        if (res->body_len + take > body_max) {
            return HTTP_ERR_TOO_LARGE;
        }
        memcpy(body + res->body_len, r->buf + r->pos, take);
        r->pos += take;
        res->body_len += take;
        n -= (uint32_t)take;
        if (progress) {
            progress(pctx, (uint32_t)res->body_len, total);
        }
    }
    return HTTP_OK;
}

http_err_t http_get(const http_io_t *io, const char *host, uint16_t port, const char *path, uint8_t *body,
                    size_t body_max, http_result_t *res, http_progress_t progress, void *pctx)
{
    static rd_t r;
    char line[256];
    memset(res, 0, sizeof *res);
    res->content_length = 0xFFFFFFFFu;
    /* request */
    size_t n = 0;
    const char *parts[] = {"GET ", path[0] == '/' ? "" : "/", path, " HTTP/1.1\r\nHost: ", host, NULL};
    for (int i = 0; parts[i]; i++) {
        size_t l = strlen(parts[i]);
        if (n + l >= sizeof r.buf) {
            return HTTP_ERR_PROTOCOL;
        }
        memcpy(r.buf + n, parts[i], l);
        n += l;
    }
    if (port != 443 && port != 80) {
        char p[8];
        int k = 0;
        char d[6];
        int nd = 0;
        uint16_t v = port;
        do {
            d[nd++] = (char)('0' + v % 10u);
            v /= 10u;
        } while (v);
        p[k++] = ':';
        while (nd) {
            p[k++] = d[--nd];
        }
        memcpy(r.buf + n, p, (size_t)k);
        n += (size_t)k;
    }
    const char *tail = "\r\nUser-Agent: winc-cert-fw/" FW_VERSION "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
    size_t tl = strlen(tail);
    if (n + tl > sizeof r.buf) {
        return HTTP_ERR_PROTOCOL;
    }
    memcpy(r.buf + n, tail, tl);
    n += tl;
    if (io->send(io->ctx, r.buf, n) != 0) {
        return HTTP_ERR_IO;
    }
    r.io = io;
    r.len = r.pos = 0;
    r.closed = 0;

    /* status line */
    int l = read_line(&r, line, sizeof line);
    if (l == -1) {
        return HTTP_ERR_IO;
    }
    if (l < 0) {
        return l == -2 ? HTTP_ERR_TRUNCATED : HTTP_ERR_PROTOCOL;
    }
    strncpy(res->status_line, line, sizeof res->status_line - 1);
    if (strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' ||
        line[10] > '9' || line[11] < '0' || line[11] > '9') {
        return HTTP_ERR_PROTOCOL;
    }
    res->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    /* headers */
    int chunked = 0;
    size_t header_bytes = (size_t)l;
    for (;;) {
        l = read_line(&r, line, sizeof line);
        if (l == -1) {
            return HTTP_ERR_IO;
        }
        if (l < 0) {
            return l == -2 ? HTTP_ERR_TRUNCATED : HTTP_ERR_PROTOCOL;
        }
        header_bytes += (size_t)l + 2u;
        if (header_bytes > 8u * HTTP_HEADER_MAX) {
            return HTTP_ERR_PROTOCOL;
        }
        if (l == 0) {
            break;
        }
        if (starts_ci(line, "content-length:")) {
            if (parse_dec(skip_ws(line + 15), &res->content_length) != 0) {
                return HTTP_ERR_PROTOCOL;
            }
        } else if (starts_ci(line, "transfer-encoding:")) {
            if (contains_ci(line + 18, "chunked")) {
                chunked = 1;
            }
        }
    }
    if (res->status != 200) {
        return HTTP_ERR_STATUS;
    }
    if (chunked) {
        for (;;) {
            uint32_t sz;
            l = read_line(&r, line, sizeof line);
            if (l == -1) {
                return HTTP_ERR_IO;
            }
            if (l < 0) {
                return l == -2 ? HTTP_ERR_TRUNCATED : HTTP_ERR_PROTOCOL;
            }
            if (parse_hex(line, &sz) != 0) {
                return HTTP_ERR_PROTOCOL;
            }
            if (sz == 0) {
                break; /* trailers are not needed: the connection closes */
            }
            if (sz > body_max) {
                return HTTP_ERR_TOO_LARGE;
            }
            http_err_t e = body_bytes(&r, sz, body, body_max, res, progress, pctx, 0);
            if (e != HTTP_OK) {
                return e;
            }
            l = read_line(&r, line, sizeof line);
            if (l != 0) {
                return l == -1 ? HTTP_ERR_IO : (l == -2 ? HTTP_ERR_TRUNCATED : HTTP_ERR_PROTOCOL);
            }
        }
        return HTTP_OK;
    }
    if (res->content_length != 0xFFFFFFFFu) {
        if (res->content_length > body_max) {
            return HTTP_ERR_TOO_LARGE;
        }
        return body_bytes(&r, res->content_length, body, body_max, res, progress, pctx, res->content_length);
    }
    /* no length: read until the server closes */
    for (;;) {
        int a = fill(&r);
        if (a < 0) {
            return HTTP_ERR_IO;
        }
        if (a == 0) {
            return HTTP_OK;
        }
        http_err_t e = body_bytes(&r, (uint32_t)a, body, body_max, res, progress, pctx, 0);
        if (e != HTTP_OK) {
            return e;
        }
    }
}
