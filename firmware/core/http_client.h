/* HTTP/1.1 GET client over an abstract byte stream: status line, headers,
 * Content-Length / chunked / read-to-close bodies, bounded sizes. */
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* 0 = ok, <0 error */
    int (*send)(void *ctx, const uint8_t *p, size_t n);
    /* >0 bytes, 0 = peer closed, <0 error/timeout */
    int (*recv)(void *ctx, uint8_t *p, size_t max);
    void *ctx;
} http_io_t;

typedef void (*http_progress_t)(void *ctx, uint32_t received, uint32_t total /* 0 unknown */);
/* Receives the body as it arrives; 0 = continue, <0 = stop (HTTP_ERR_TOO_LARGE). */
typedef int (*http_sink_t)(void *ctx, const uint8_t *p, size_t n);

typedef enum {
    HTTP_OK = 0,
    HTTP_ERR_IO = -1,          /* send/recv failed before the body completed */
    HTTP_ERR_STATUS = -2,      /* status other than 200; status/status_line filled */
    HTTP_ERR_TOO_LARGE = -3,   /* body larger than the buffer */
    HTTP_ERR_PROTOCOL = -4,    /* malformed status line, headers or chunking; header block too big */
    HTTP_ERR_TRUNCATED = -5,   /* connection closed before Content-Length / last chunk */
} http_err_t;

typedef struct {
    int status;
    char status_line[64];
    uint32_t content_length;   /* 0xFFFFFFFF if none */
    size_t body_len;
    bool keep_alive;           /* the server keeps the connection open for another request */
} http_result_t;

typedef struct {
    const char *host;
    uint16_t port;
    const char *path;          /* with or without the leading '/' */
    bool keep_alive;           /* false: send "Connection: close" */
    bool any_status;           /* read the body whatever the status (else HTTP_ERR_STATUS before the body) */
    http_sink_t sink;
    void *sink_ctx;
    http_progress_t progress;
    void *progress_ctx;
} http_request_t;

#define HTTP_HEADER_MAX 512u

/* One request/response on an open connection. */
http_err_t http_request(const http_io_t *io, const http_request_t *req, http_result_t *res);
/* GET into a buffer ("Connection: close"); a body larger than body_max is HTTP_ERR_TOO_LARGE. */
http_err_t http_get(const http_io_t *io, const char *host, uint16_t port, const char *path, uint8_t *body,
                    size_t body_max, http_result_t *res, http_progress_t progress, void *pctx);
#endif
