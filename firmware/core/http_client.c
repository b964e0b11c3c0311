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

/* hand n body bytes to the sink */
static http_err_t body_bytes(rd_t *r, uint32_t n, const http_request_t *q, http_result_t *res, uint32_t total)
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
        if (q->sink && q->sink(q->sink_ctx, r->buf + r->pos, take) < 0) {
            return HTTP_ERR_TOO_LARGE;
        }
        r->pos += take;
        res->body_len += take;
        n -= (uint32_t)take;
        if (q->progress) {
            q->progress(q->progress_ctx, (uint32_t)res->body_len, total);
        }
    }
    return HTTP_OK;
}

static size_t put(char *dst, size_t at, size_t max, const char *src)
{
    size_t l = strlen(src);
    if (at + l >= max) {
        return max; /* marks overflow */
    }
    memcpy(dst + at, src, l);
    return at + l;
}

static http_err_t read_body(rd_t *r, const http_request_t *q, http_result_t *res, int chunked)
{
    char line[256];
    int l;
    if (chunked) {
        for (;;) {
            uint32_t sz;
            l = read_line(r, line, sizeof line);
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
                break;
            }
            http_err_t e = body_bytes(r, sz, q, res, 0);
            if (e != HTTP_OK) {
                return e;
            }
            l = read_line(r, line, sizeof line);
            if (l != 0) {
                return l == -1 ? HTTP_ERR_IO : (l == -2 ? HTTP_ERR_TRUNCATED : HTTP_ERR_PROTOCOL);
            }
        }
        /* trailers, up to the empty line */
        do {
            l = read_line(r, line, sizeof line);
            if (l < 0) {
                return l == -1 ? HTTP_ERR_IO : (l == -2 ? HTTP_ERR_TRUNCATED : HTTP_ERR_PROTOCOL);
            }
        } while (l > 0);
        return HTTP_OK;
    }
    if (res->content_length != 0xFFFFFFFFu) {
        return body_bytes(r, res->content_length, q, res, res->content_length);
    }
    /* no length: read until the server closes */
    for (;;) {
        int a = fill(r);
        if (a < 0) {
            return HTTP_ERR_IO;
        }
        if (a == 0) {
            return HTTP_OK;
        }
        http_err_t e = body_bytes(r, (uint32_t)a, q, res, 0);
        if (e != HTTP_OK) {
            return e;
        }
    }
}

http_err_t http_request(const http_io_t *io, const http_request_t *q, http_result_t *res)
{
    static rd_t r;
    char line[256];
    memset(res, 0, sizeof *res);
    res->content_length = 0xFFFFFFFFu;
    /* request line and headers, built in the reader's buffer */
    char *out = (char *)r.buf;
    size_t n = put(out, 0, sizeof r.buf, "GET ");
    n = put(out, n, sizeof r.buf, q->path[0] == '/' ? "" : "/");
    n = put(out, n, sizeof r.buf, q->path);
    n = put(out, n, sizeof r.buf, " HTTP/1.1\r\nHost: ");
    n = put(out, n, sizeof r.buf, q->host);
    if (q->port != 443 && q->port != 80) {
        char p[8];
        char d[6];
        int k = 0, nd = 0;
        uint16_t v = q->port;
        do {
            d[nd++] = (char)('0' + v % 10u);
            v /= 10u;
        } while (v);
        p[k++] = ':';
        while (nd) {
            p[k++] = d[--nd];
        }
        p[k] = 0;
        n = put(out, n, sizeof r.buf, p);
    }
    n = put(out, n, sizeof r.buf, "\r\nUser-Agent: winc-cert-fw/" FW_VERSION "\r\nAccept: */*\r\n");
    n = put(out, n, sizeof r.buf, q->keep_alive ? "\r\n" : "Connection: close\r\n\r\n");
    if (n >= sizeof r.buf) {
        return HTTP_ERR_PROTOCOL;
    }
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
    const int http11 = line[7] == '1';
    res->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    /* headers */
    int chunked = 0, conn_close = 0;
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
        } else if (starts_ci(line, "connection:")) {
            if (contains_ci(line + 11, "close")) {
                conn_close = 1;
            }
        }
    }
    if (res->status != 200 && !q->any_status) {
        return HTTP_ERR_STATUS;
    }
    http_err_t e = read_body(&r, q, res, chunked);
    /* reusable only if the body was framed, nobody said close and nothing is left over */
    res->keep_alive = e == HTTP_OK && q->keep_alive && http11 && !conn_close &&
                      (chunked || res->content_length != 0xFFFFFFFFu) && r.pos == r.len && !r.closed;
    return e;
}

typedef struct {
    uint8_t *buf;
    size_t max, len;
} buf_sink_t;

static int to_buffer(void *ctx, const uint8_t *p, size_t n)
{
    buf_sink_t *b = ctx;
    if (b->len + n > b->max) {
        return -1;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    return 0;
}

http_err_t http_get(const http_io_t *io, const char *host, uint16_t port, const char *path, uint8_t *body,
                    size_t body_max, http_result_t *res, http_progress_t progress, void *pctx)
{
    buf_sink_t b = {body, body_max, 0};
    http_request_t q = {host, port, path, false, false, to_buffer, &b, progress, pctx};
    return http_request(io, &q, res);
}
