#include "prove.h"
#include <string.h>
#include "http_client.h"
#include "winc_drv.h"
#include "winc_session.h"
#include "winc_socket.h"
#include "winc_wifi.h"

static int keep_start(void *ctx, const uint8_t *p, size_t n)
{
    prove_res_t *r = ctx;
    size_t room = PROVE_BODY_MAX - r->body_len;
    size_t take = n < room ? n : room;
    memcpy(r->body + r->body_len, p, take);
    r->body_len = (uint8_t)(r->body_len + take);
    return 0; /* the rest is read and dropped */
}

int prove_run(const job_cfg_t *c, const prove_req_t *q, prove_res_t *res, proto_error_t *err)
{
    memset(res, 0, sizeof *res);
    g_net_abort = 0;
    /* back to normal mode (announced) if the WINC is in download mode, then the network */
    if (session_winc_up(PHASE_REINIT, true, err) != 0) {
        return -1;
    }
    if (!wifi_joined()) {
        evt_state(STATE_RUNNING, PHASE_WIFI_CONNECT);
    }
    if (session_join(c, err) != 0) {
        return -1;
    }
    evt_state(STATE_RUNNING, PHASE_PROVE);
    uint8_t ip[4];
    if (session_resolve(q->host, ip, PHASE_PROVE, err) != 0) {
        return -1;
    }
    uint8_t opts = (uint8_t)(((q->flags & PROVE_FLAG_BYPASS_SERVER_VERIFICATION) ? SOCK_OPT_BYPASS_X509 : 0u) |
                             ((q->flags & PROVE_FLAG_VALIDATE_SERVER_NAME) ? SOCK_OPT_CHECK_SNI : 0u));
    if (session_tls_connect(ip, q->port, q->sni, opts, PHASE_PROVE, 0xFF, err) != 0) {
        return -1;
    }
    http_result_t hr;
    http_request_t hq = {q->sni[0] ? q->sni : q->host, q->port, q->path, false, true, keep_start, res, NULL, NULL};
    http_err_t he = http_request(session_http_io(), &hq, &hr);
    sock_close();
    if (g_net_abort) {
        return proto_fail(err, ERR_CANCELLED, PHASE_PROVE, 0xFF, "cancelled");
    }
    if (he != HTTP_OK) {
        return proto_fail(err, ERR_DOWNLOAD_FAILED, PHASE_PROVE, 0xFF,
                          he == HTTP_ERR_TRUNCATED ? "connection closed before the end of the answer"
                                                   : (he == HTTP_ERR_PROTOCOL ? "the answer is not HTTP" : "connection lost"));
    }
    res->status = (uint16_t)hr.status;
    return 0;
}
