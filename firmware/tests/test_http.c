/* HTTP/1.1 GET client against scripted server byte streams. */
#include <string.h>
#include "test.h"
#include "http_client.h"

typedef struct {
    const char *chunks[16];   /* what each recv() returns; NULL = closed */
    int next;
    int fail_at;              /* recv index that returns an error, -1 none */
    char sent[1024];
    size_t sent_len;
} fake_t;

static int f_send(void *ctx, const uint8_t *p, size_t n)
{
    fake_t *f = ctx;
    memcpy(f->sent + f->sent_len, p, n);
    f->sent_len += n;
    f->sent[f->sent_len] = 0;
    return 0;
}

static int f_recv(void *ctx, uint8_t *p, size_t max)
{
    fake_t *f = ctx;
    if (f->next == f->fail_at) {
        return -1;
    }
    const char *c = f->chunks[f->next];
    if (!c) {
        return 0;
    }
    size_t n = strlen(c);
    if (n > max) {
        n = max; /* the rest is returned by the next call */
        memcpy(p, c, n);
        f->chunks[f->next] = c + n;
        return (int)n;
    }
    memcpy(p, c, n);
    f->next++;
    return (int)n;
}

static http_err_t run(fake_t *f, uint8_t *body, size_t max, http_result_t *r)
{
    http_io_t io = {f_send, f_recv, f};
    return http_get(&io, "files.local", 8443, "root.cer", body, max, r, NULL, NULL);
}

TEST(http_request_format)
{
    fake_t f = {.chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", NULL}, .fail_at = -1};
    uint8_t body[16];
    http_result_t r;
    CHECK_EQ(run(&f, body, sizeof body, &r), HTTP_OK);
    CHECK(strncmp(f.sent, "GET /root.cer HTTP/1.1\r\nHost: files.local:8443\r\n", 48) == 0);
    CHECK(strstr(f.sent, "Connection: close\r\n") != NULL);
    CHECK(strcmp(f.sent + f.sent_len - 4, "\r\n\r\n") == 0);
}

TEST(http_content_length_split_reads)
{
    fake_t f = {.chunks = {"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nconTENT-length:  10\r\n",
                           "\r\n01234", "56789", NULL}, .fail_at = -1};
    uint8_t body[16];
    http_result_t r;
    CHECK_EQ(run(&f, body, sizeof body, &r), HTTP_OK);
    CHECK_EQ(r.status, 200);
    CHECK_EQ(r.body_len, 10);
    CHECK(memcmp(body, "0123456789", 10) == 0);
}

TEST(http_chunked)
{
    fake_t f = {.chunks = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n", "3\r\nef",
                           "g\r\n0\r\n\r\n", NULL}, .fail_at = -1};
    uint8_t body[16];
    http_result_t r;
    CHECK_EQ(run(&f, body, sizeof body, &r), HTTP_OK);
    CHECK_EQ(r.body_len, 7);
    CHECK(memcmp(body, "abcdefg", 7) == 0);
}

TEST(http_read_to_close)
{
    fake_t f = {.chunks = {"HTTP/1.0 200 OK\r\n\r\nhello ", "world", NULL}, .fail_at = -1};
    uint8_t body[16];
    http_result_t r;
    CHECK_EQ(run(&f, body, sizeof body, &r), HTTP_OK);
    CHECK_EQ(r.body_len, 11);
}

TEST(http_status_not_200)
{
    fake_t f = {.chunks = {"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", NULL}, .fail_at = -1};
    uint8_t body[16];
    http_result_t r;
    CHECK_EQ(run(&f, body, sizeof body, &r), HTTP_ERR_STATUS);
    CHECK_EQ(r.status, 404);
    CHECK(strcmp(r.status_line, "HTTP/1.1 404 Not Found") == 0);
}

TEST(http_bounds_and_errors)
{
    uint8_t body[8];
    http_result_t r;
    fake_t big = {.chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n123456789", NULL}, .fail_at = -1};
    CHECK_EQ(run(&big, body, sizeof body, &r), HTTP_ERR_TOO_LARGE);
    fake_t bigchunk = {.chunks = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n", NULL},
                       .fail_at = -1};
    CHECK_EQ(run(&bigchunk, body, sizeof body, &r), HTTP_ERR_TOO_LARGE);
    fake_t shortb = {.chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n123", NULL}, .fail_at = -1};
    CHECK_EQ(run(&shortb, body, sizeof body, &r), HTTP_ERR_TRUNCATED);
    fake_t garbage = {.chunks = {"SSH-2.0-OpenSSH\r\n\r\n", NULL}, .fail_at = -1};
    CHECK_EQ(run(&garbage, body, sizeof body, &r), HTTP_ERR_PROTOCOL);
    fake_t badlen = {.chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n", NULL}, .fail_at = -1};
    CHECK_EQ(run(&badlen, body, sizeof body, &r), HTTP_ERR_PROTOCOL);
    fake_t badchunk = {.chunks = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", NULL}, .fail_at = -1};
    CHECK_EQ(run(&badchunk, body, sizeof body, &r), HTTP_ERR_PROTOCOL);
    fake_t ioerr = {.chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n123", "456", NULL}, .fail_at = 1};
    CHECK_EQ(run(&ioerr, body, sizeof body, &r), HTTP_ERR_IO);
    static char longline[600];
    memset(longline, 'a', sizeof longline - 1);
    fake_t hdr = {.chunks = {"HTTP/1.1 200 OK\r\nX: ", longline, NULL}, .fail_at = -1};
    CHECK_EQ(run(&hdr, body, sizeof body, &r), HTTP_ERR_PROTOCOL);
}

typedef struct {
    char got[64];
    size_t n;
} keep_t;

static int keep_all(void *ctx, const uint8_t *p, size_t n)
{
    keep_t *k = ctx;
    memcpy(k->got + k->n, p, n);
    k->n += n;
    return 0;
}

TEST(http_request_any_status_and_keep_alive)
{
    keep_t k = {{0}, 0};
    fake_t f = {.chunks = {"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", NULL}, .fail_at = -1};
    http_io_t io = {f_send, f_recv, &f};
    http_request_t q = {"files.local", 443, "/prove", true, true, keep_all, &k, NULL, NULL};
    http_result_t r;
    CHECK_EQ(http_request(&io, &q, &r), HTTP_OK);
    CHECK_EQ(r.status, 404);
    CHECK_EQ(k.n, 9);
    CHECK(memcmp(k.got, "not found", 9) == 0);
    CHECK(r.keep_alive);                                    /* HTTP/1.1, framed, nobody said close */
    CHECK(strstr(f.sent, "Host: files.local\r\n") != NULL); /* port 443 is implied */
    CHECK(strstr(f.sent, "Connection: close") == NULL);

    fake_t c = {.chunks = {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", NULL}, .fail_at = -1};
    io.ctx = &c;
    k.n = 0;
    CHECK_EQ(http_request(&io, &q, &r), HTTP_OK);
    CHECK(!r.keep_alive);
    fake_t t = {.chunks = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n", NULL},
                .fail_at = -1};
    io.ctx = &t;
    k.n = 0;
    CHECK_EQ(http_request(&io, &q, &r), HTTP_OK);
    CHECK(r.keep_alive); /* trailers read to the empty line */
    CHECK_EQ(k.n, 2);
    fake_t old = {.chunks = {"HTTP/1.0 200 OK\r\n\r\nto close", NULL}, .fail_at = -1};
    io.ctx = &old;
    k.n = 0;
    CHECK_EQ(http_request(&io, &q, &r), HTTP_OK);
    CHECK(!r.keep_alive);
}
