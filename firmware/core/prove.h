/* PROVE_IDENTITY (docs/serial-protocol.md 4.2, revision 1.1): the board opens a TLS connection
 * through the WINC, which presents the RSA identity of its TLS store when the server asks for
 * a client certificate, GETs a path and reports the status and the start of the body. */
#ifndef PROVE_H
#define PROVE_H
#include <stdint.h>
#include "job.h"
#include "proto_events.h"

typedef struct {
    char host[64];
    uint16_t port;
    char sni[64];
    char path[PROVE_PATH_MAX + 1];
    uint8_t flags;              /* PROVE_FLAG_* */
} prove_req_t;

typedef struct {
    uint16_t status;
    uint8_t body_len;
    uint8_t body[PROVE_BODY_MAX];
} prove_res_t;

/* 0 = an HTTP answer (any status); otherwise err is filled. Uses cfg's Wi-Fi settings. */
int prove_run(const job_cfg_t *cfg, const prove_req_t *req, prove_res_t *res, proto_error_t *err);
#endif
