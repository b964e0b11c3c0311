/*
 * Board side of the app <-> board serial protocol v1 (docs/serial-protocol.md):
 * frame reception, request dispatch, retransmit handling, events, and the
 * direct flash requests. RUN_JOB runs synchronously; while it waits, the idle
 * hook keeps serving HELLO, PING, GET_STATS and CANCEL (others get BUSY).
 */
#include "app.h"
#include <stdio.h>
#include <string.h>
#include "frame.h"
#include "hal.h"
#include "job.h"
#include "prove.h"
#include "proto_events.h"
#include "protocol_defs.h"
#include "winc_drv.h"
#include "winc_flash.h"
#include "winc_flash_layout.h"
#include "winc_hif.h"
#include "winc_regs.h"
#include "winc_socket.h"
#include "winc_wifi.h"

/* every response but READ_FLASH and PING (re-executed) fits: error bodies <= 103, a PROVE_IDENTITY
 * answer <= 258, so a finished job or proof is never run twice */
#define CACHE_MAX (3u + PROVE_BODY_MAX)
#define FLASH_SIZE_DEFAULT WINC_FLASH_SIZE_4M

static frame_rx_t s_rx;
static frame_tx_t s_tx;
static uint16_t s_host_max = PROTO_PRE_HELLO_MAX;
static uint8_t s_state = STATE_IDLE;
static struct {
    uint32_t sent, retransmits;
} s_stats;
static job_cfg_t s_cfg;
static bool s_blocking; /* a request is being handled: nested ones (from wait loops) get BUSY */
static bool s_busy;     /* RUN_JOB or PROVE_IDENTITY runs (s_job_id) */
static uint16_t s_job_id;
static uint8_t s_job_type; /* REQ_RUN_JOB or REQ_PROVE_IDENTITY while s_busy */
static uint8_t s_job_phase;
static uint32_t s_last_event_ms;
static struct {
    bool valid;
    uint16_t id;
    uint8_t type, flags;
    uint16_t len;
    uint8_t payload[CACHE_MAX];
} s_last;

/* ---------------- output ---------------- */

static void sink(const uint8_t *p, size_t n) { hal_serial_write(p, n); }

static void send_frame(uint8_t type, uint16_t id, uint8_t flags, const uint8_t *payload, uint16_t len)
{
    frame_tx_begin(&s_tx, sink, type, id, flags, len);
    frame_tx_put(&s_tx, payload, len);
    frame_tx_end(&s_tx);
    s_stats.sent++;
}

static void respond(uint8_t req_type, uint16_t id, uint8_t flags, const uint8_t *payload, uint16_t len)
{
    send_frame((uint8_t)(req_type | PROTO_RESPONSE_BIT), id, flags, payload, len);
    s_last.valid = len <= CACHE_MAX;
    s_last.id = id;
    s_last.type = req_type;
    s_last.flags = flags;
    s_last.len = len;
    if (s_last.valid) {
        memcpy(s_last.payload, payload, len);
    }
}

void proto_error_set(proto_error_t *e, uint16_t code, uint8_t phase, uint8_t entry, const char *msg)
{
    memset(e, 0, sizeof *e);
    e->code = code;
    e->phase = phase;
    e->entry = entry;
    strncpy(e->message, msg, sizeof e->message - 1);
}

int proto_fail(proto_error_t *e, uint16_t code, uint8_t phase, uint8_t entry, const char *msg)
{
    proto_error_set(e, code, phase, entry, msg);
    return -1;
}

static uint16_t error_body(const proto_error_t *e, uint8_t *b)
{
    size_t ml = strlen(e->message);
    b[0] = (uint8_t)e->code;
    b[1] = (uint8_t)(e->code >> 8);
    b[2] = e->phase;
    b[3] = e->entry;
    b[4] = (uint8_t)e->winc_error;
    b[5] = e->winc_err_source;
    b[6] = e->tls_alert;
    b[7] = (uint8_t)ml;
    memcpy(b + 8, e->message, ml);
    return (uint16_t)(8u + ml);
}

static void respond_error(uint8_t req_type, uint16_t id, uint16_t code, uint8_t phase, const char *msg)
{
    proto_error_t e;
    uint8_t b[8 + sizeof e.message];
    proto_error_set(&e, code, phase, 0xFF, msg);
    respond(req_type, id, PROTO_FLAG_ERROR, b, error_body(&e, b));
}

static void event(uint8_t type, const uint8_t *p, uint16_t len)
{
    send_frame(type, s_busy ? s_job_id : 0, 0, p, len);
    s_last_event_ms = hal_millis();
}

static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }

static uint16_t put_str8(uint8_t *p, const char *s, size_t n)
{
    if (n > 200) {
        n = 200;
    }
    p[0] = (uint8_t)n;
    memcpy(p + 1, s, n);
    return (uint16_t)(n + 1u);
}


void evt_progress(uint8_t phase, uint32_t done, uint32_t total)
{
    uint8_t b[9];
    b[0] = phase;
    put32(b + 1, done);
    put32(b + 5, total);
    event(EVT_PROGRESS, b, sizeof b);
}

void evt_state(uint8_t state, uint8_t phase)
{
    uint8_t b[2] = {state, phase};
    s_state = state;
    s_job_phase = phase;
    event(EVT_STATE, b, sizeof b);
}

void evt_u8_str(uint8_t type, uint8_t a, const char *s)
{
    uint8_t b[210];
    b[0] = a;
    event(type, b, (uint16_t)(1u + put_str8(b + 1, s, strlen(s))));
}

void evt_log(uint8_t level, const char *text)
{
    evt_u8_str(EVT_LOG, level, text);
}

void evt_file_packet(uint8_t entry, uint32_t received, uint32_t size)
{
    uint8_t b[9];
    b[0] = entry;
    put32(b + 1, received);
    put32(b + 5, size);
    event(EVT_FILE_PACKET, b, sizeof b);
}

void evt_file_downloaded(uint8_t entry, uint32_t size, const char *name)
{
    uint8_t b[80];
    b[0] = entry;
    put32(b + 1, size);
    event(EVT_FILE_DOWNLOADED, b, (uint16_t)(5u + put_str8(b + 5, name, strlen(name))));
}

void evt_cert_found(uint8_t entry, uint8_t cert_type, const char *cn, uint32_t cn_len)
{
    uint8_t b[210];
    b[0] = entry;
    b[1] = cert_type;
    event(EVT_CERTIFICATE_FOUND, b, (uint16_t)(2u + put_str8(b + 2, cn, cn_len)));
}

void evt_simple(uint8_t type) { event(type, NULL, 0); }

void evt_wifi_connected(const uint8_t ip[4]) { event(EVT_WIFI_CONNECTED, ip, 4); }

void evt_section_verified(uint8_t section, uint32_t length)
{
    uint8_t b[5];
    b[0] = section;
    put32(b + 1, length);
    event(EVT_SECTION_VERIFIED, b, sizeof b);
}

void evt_root_written(uint8_t entry, uint8_t count)
{
    uint8_t b[2] = {entry, count};
    event(EVT_ROOT_CERT_WRITTEN, b, sizeof b);
}

void evt_tls_written(uint8_t files, uint32_t bytes)
{
    uint8_t b[5];
    b[0] = files;
    put32(b + 1, bytes);
    event(EVT_TLS_STORE_WRITTEN, b, sizeof b);
}

static uint16_t chip_fw(uint8_t *b)
{
    put32(b, g_winc.chip_id);
    memcpy(b + 4, g_winc.fw, 3);
    return 7;
}

void evt_winc_ready(void)
{
    uint8_t b[7];
    event(EVT_WINC_READY, b, chip_fw(b));
}

void proto_heartbeat(uint8_t phase)
{
    if (s_busy && (uint32_t)(hal_millis() - s_last_event_ms) > 5000u) {
        evt_progress(phase, 0, 0);
    }
}

/* ---------------- requests ---------------- */

static uint8_t board_kind(void)
{
    const char *b = hal_board_name();
    if (strcmp(b, "samd21-xpro") == 0) {
        return BOARD_KIND_XPRO;
    }
    if (strcmp(b, "mkr1000") == 0) {
        return BOARD_KIND_MKR1000;
    }
    if (strcmp(b, "feather-m0-wifi") == 0) {
        return BOARD_KIND_FEATHER;
    }
    return BOARD_KIND_UNKNOWN;
}

static int hexval(char c)
{
    return (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 0;
}

static uint8_t hello_status(void)
{
    uint8_t st = 0;
    if (!hal_clock_ok()) {
        st |= HELLO_STATUS_CLOCK_UNLOCKED;
    }
    if (g_winc.download_mode) {
        st |= HELLO_STATUS_WINC_DOWNLOAD_MODE;
    }
    if (g_winc.starting) {
        st |= HELLO_STATUS_WINC_STARTING;
    }
    return st;
}

static void do_hello(const frame_t *f)
{
    if (f->payload_len != 2) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_SESSION, "HELLO takes hostMaxPayload:u16");
        return;
    }
    uint16_t hm = get16(f->payload);
    if (hm < PROTO_MIN_LIMIT) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_SESSION, "hostMaxPayload must be at least 256");
        return;
    }
    if (hm > PROTO_MAX_LIMIT) {
        hm = PROTO_MAX_LIMIT;
    }
    uint8_t b[64];
    uint16_t n = 0;
    b[n++] = PROTO_VERSION;
    b[n++] = PROTO_REVISION;
    b[n++] = (uint8_t)PROTO_BOARD_MAX_PAYLOAD;
    b[n++] = (uint8_t)(PROTO_BOARD_MAX_PAYLOAD >> 8);
    b[n++] = board_kind();
    uint32_t caps = CAP_JOB_RUNNER | CAP_FLASH_ACCESS | CAP_CANCEL | CAP_WINC_INFO | CAP_REMOVE_ROOTS | CAP_PROVE_IDENTITY |
                    CAP_KEEP_ALIVE;
#if defined(FW_TARGET_HOST)
    caps |= CAP_HOST_BUILD;
#endif
    put32(b + n, caps);
    n += 4;
    char sn[33];
    hal_serial_number(sn);
    for (int i = 0; i < 16; i++) {
        b[n++] = (uint8_t)((hexval(sn[2 * i]) << 4) | hexval(sn[2 * i + 1]));
    }
    n += put_str8(b + n, FW_VERSION, strlen(FW_VERSION));
    put32(b + n, g_winc.chip_id);
    n += 4;
    memcpy(b + n, g_winc.fw, 3);
    n += 3;
    memcpy(b + n, g_winc.min_drv, 3);
    n += 3;
    put32(b + n, g_winc.flash_size);
    n += 4;
    b[n++] = s_state;
    b[n++] = hello_status();
    if (!s_busy) {
        s_host_max = hm;
        frame_rx_set_limit(&s_rx, PROTO_BOARD_MAX_PAYLOAD);
    }
    respond(f->type, f->request_id, 0, b, n);
}

static void do_winc_info(const frame_t *f)
{
    if (!g_winc.mac_valid) {
        /* the address is learnt when the WINC firmware starts */
        if (!g_winc.starting && !g_winc.start_failed) {
            hif_enable(false);
            (void)winc_start_begin(); /* e.g. download mode since power-up: start it, the app asks again */
        }
        if (g_winc.starting) {
            respond_error(f->type, f->request_id, ERR_BUSY, PHASE_SESSION, "the WINC is starting; ask again in a moment");
        } else {
            respond_error(f->type, f->request_id, ERR_WINC_NOT_RESPONDING, PHASE_SESSION,
                          "the WINC did not start; its MAC address is unknown");
        }
        return;
    }
    uint8_t b[13];
    memcpy(b, g_winc.mac, 6);
    put32(b + 6, g_winc.chip_id);
    memcpy(b + 10, g_winc.fw, 3);
    respond(f->type, f->request_id, 0, b, sizeof b);
}

static void do_stats(const frame_t *f)
{
    uint8_t b[20];
    put32(b, s_rx.stats.frames_received);
    put32(b + 4, s_rx.stats.crc_errors);
    put32(b + 8, s_rx.stats.other_errors);
    put32(b + 12, s_stats.sent + 1u); /* this response counts */
    put32(b + 16, s_stats.retransmits);
    respond(f->type, f->request_id, 0, b, sizeof b);
}

/* str8 reader with bounds */
static int rd_str8(const uint8_t **p, const uint8_t *end, char *out, size_t min, size_t max)
{
    if (*p >= end) {
        return -1;
    }
    size_t n = **p;
    if ((size_t)(end - *p) < 1u + n || n < min || n > max) {
        return -1;
    }
    memcpy(out, *p + 1, n);
    out[n] = 0;
    *p += 1u + n;
    return 0;
}

static void do_configure_wifi(const frame_t *f)
{
    const uint8_t *p = f->payload, *end = f->payload + f->payload_len;
    job_cfg_t *c = &s_cfg;
    char ssid[256], pass[256];
    uint8_t sec = p < end ? *p++ : 0xFF;
    if (sec > 2 || rd_str8(&p, end, ssid, 1, 32) != 0 || rd_str8(&p, end, pass, 0, 64) != 0 || p != end) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE, "invalid Wi-Fi configuration");
        return;
    }
    uint8_t security = sec == 0 ? M2M_WIFI_SEC_OPEN : (sec == 1 ? M2M_WIFI_SEC_WPA_PSK : M2M_WIFI_SEC_WEP);
    if (!c->wifi_set || security != c->security || strcmp(ssid, c->ssid) != 0 || strcmp(pass, c->pass) != 0) {
        wifi_forget(); /* other settings: join again */
    }
    c->security = security;
    strcpy(c->ssid, ssid);
    strcpy(c->pass, pass);
    c->wifi_set = true;
    respond(f->type, f->request_id, 0, NULL, 0);
}

static void do_configure_server(const frame_t *f)
{
    const uint8_t *p = f->payload, *end = f->payload + f->payload_len;
    job_cfg_t *c = &s_cfg;
    char host[256], sni[256]; /* str8 maximum; shorter limits are checked below */
    if (rd_str8(&p, end, host, 1, 255) != 0 || end - p < 2) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE, "invalid server configuration");
        return;
    }
    uint16_t port = get16(p);
    p += 2;
    if (rd_str8(&p, end, sni, 0, 255) != 0 || end - p != 1 || port == 0 || strlen(sni) >= sizeof c->sni ||
        strlen(host) >= 64) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE,
                      "invalid server configuration (host and SNI must be shorter than 64 bytes)");
        return;
    }
    strcpy(c->host, host);
    strcpy(c->sni, sni);
    c->port = port;
    c->server_flags = *p;
    c->server_set = true;
    respond(f->type, f->request_id, 0, NULL, 0);
}

static void do_set_job(const frame_t *f)
{
    const uint8_t *p = f->payload, *end = f->payload + f->payload_len;
    job_cfg_t *c = &s_cfg;
    c->job_set = false; /* a refused plan leaves no plan */
    if (end - p < 2) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE, "SET_JOB too short");
        return;
    }
    c->job_flags = *p++;
    c->count = *p++;
    if (c->count < 1 || c->count > JOB_MAX_ENTRIES) {
        respond_error(f->type, f->request_id, ERR_INVALID_JOB, PHASE_CONFIGURE, "1..16 entries");
        return;
    }
    for (int i = 0; i < c->count; i++) {
        if (end - p < 2) {
            respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE, "entry truncated");
            return;
        }
        c->e[i].cert_type = *p++;
        c->e[i].num_chain = *p++;
        if (rd_str8(&p, end, c->e[i].name, 0, 64) != 0) {
            respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE, "bad file name");
            return;
        }
    }
    c->remove_count = 0;
    if (c->job_flags & JOB_FLAG_REMOVE_ROOTS) {
        if (p >= end) {
            respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE, "removeCount missing");
            return;
        }
        uint8_t k = *p++;
        if ((size_t)(end - p) < (size_t)k * ROOT_NAME_HASH_SIZE) {
            respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE, "root name hashes truncated");
            return;
        }
        if (k < 1 || k > JOB_MAX_REMOVE_ROOTS) {
            respond_error(f->type, f->request_id, ERR_INVALID_JOB, PHASE_CONFIGURE, "a job removes 1..8 roots");
            return;
        }
        for (uint8_t i = 0; i < k; i++) {
            memcpy(c->remove[i], p, ROOT_NAME_HASH_SIZE);
            p += ROOT_NAME_HASH_SIZE;
        }
        c->remove_count = k;
    }
    if (p != end) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_CONFIGURE, "bytes after the last field");
        return;
    }
    if (c->job_flags & ~(JOB_FLAG_REPLACE_ROOT | JOB_FLAG_REMOVE_ROOTS) || job_validate(c) != 0) {
        respond_error(f->type, f->request_id, ERR_INVALID_JOB, PHASE_CONFIGURE, "invalid job plan");
        return;
    }
    c->job_set = true;
    respond(f->type, f->request_id, 0, NULL, 0);
}

static void do_run_job(const frame_t *f)
{
    if (f->payload_len != 0) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_SESSION, "RUN_JOB takes no payload");
        return;
    }
    if (!s_cfg.wifi_set || !s_cfg.server_set || !s_cfg.job_set) {
        respond_error(f->type, f->request_id, ERR_NOT_CONFIGURED, PHASE_CONFIGURE,
                      "CONFIGURE_WIFI, CONFIGURE_SERVER and SET_JOB are needed first");
        return;
    }
    uint8_t type = f->type;
    s_busy = true;
    s_job_id = f->request_id;
    s_job_type = f->type;
    s_last.valid = false;
    evt_state(STATE_RUNNING, PHASE_NONE);
    job_result_t res;
    static proto_error_t err;
    int r = job_run(&s_cfg, &res, &err);
    uint16_t id = s_job_id;
    if (r == 0) {
        uint8_t b[5] = {res.files, res.roots, res.tls_files, res.root_count, res.tls_handshakes};
        evt_state(STATE_SUCCEEDED, PHASE_NONE);
        s_busy = false;
        respond(type, id, 0, b, sizeof b);
    } else {
        uint8_t b[8 + sizeof err.message];
        evt_state(err.code == ERR_CANCELLED ? STATE_CANCELLED : STATE_FAILED, err.phase);
        s_busy = false;
        respond(type, id, PROTO_FLAG_ERROR, b, error_body(&err, b));
    }
    s_state = r == 0 ? STATE_SUCCEEDED : (err.code == ERR_CANCELLED ? STATE_CANCELLED : STATE_FAILED);
}

static void do_prove(const frame_t *f)
{
    const uint8_t *p = f->payload, *end = f->payload + f->payload_len;
    static prove_req_t q;
    char sni[256], host[256], path[256];
    if (rd_str8(&p, end, host, 1, 255) != 0 || end - p < 2) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_PROVE, "PROVE_IDENTITY takes host port sni path flags");
        return;
    }
    q.port = get16(p);
    p += 2;
    if (rd_str8(&p, end, sni, 0, 255) != 0 || rd_str8(&p, end, path, 1, 255) != 0 || end - p != 1) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_PROVE, "PROVE_IDENTITY takes host port sni path flags");
        return;
    }
    q.flags = *p;
    size_t pl = strlen(path);
    bool path_ok = path[0] == '/' && pl <= PROVE_PATH_MAX;
    for (size_t i = 0; i < pl; i++) {
        path_ok &= path[i] > 0x20 && path[i] < 0x7F;
    }
    if (q.port == 0 || strlen(host) >= sizeof q.host || strlen(sni) >= sizeof q.sni || !path_ok) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_PROVE,
                      "host and SNI under 64 bytes, port 1..65535, path /... of at most 63 printable characters");
        return;
    }
    if (!s_cfg.wifi_set) {
        respond_error(f->type, f->request_id, ERR_NOT_CONFIGURED, PHASE_CONFIGURE, "CONFIGURE_WIFI is needed first");
        return;
    }
    strcpy(q.host, host);
    strcpy(q.sni, sni);
    strcpy(q.path, path);
    uint8_t type = f->type;
    s_busy = true;
    s_job_id = f->request_id;
    s_job_type = f->type;
    s_last.valid = false;
    evt_state(STATE_RUNNING, PHASE_NONE);
    static prove_res_t res;
    static proto_error_t err;
    int r = prove_run(&s_cfg, &q, &res, &err);
    uint16_t id = s_job_id;
    if (r == 0) {
        static uint8_t b[3 + PROVE_BODY_MAX];
        b[0] = (uint8_t)res.status;
        b[1] = (uint8_t)(res.status >> 8);
        b[2] = res.body_len;
        memcpy(b + 3, res.body, res.body_len);
        evt_state(STATE_SUCCEEDED, PHASE_NONE);
        s_busy = false;
        respond(type, id, 0, b, (uint16_t)(3u + res.body_len));
    } else {
        uint8_t b[8 + sizeof err.message];
        evt_state(err.code == ERR_CANCELLED ? STATE_CANCELLED : STATE_FAILED, err.phase);
        s_busy = false;
        respond(type, id, PROTO_FLAG_ERROR, b, error_body(&err, b));
    }
    s_state = r == 0 ? STATE_SUCCEEDED : (err.code == ERR_CANCELLED ? STATE_CANCELLED : STATE_FAILED);
}

/* ---- direct flash access ---- */

static int ensure_download_mode(const frame_t *f)
{
    if (g_winc.download_mode) {
        return 0;
    }
    hif_enable(false);
    if (winc_enter_download_mode() != WINC_OK) {
        respond_error(f->type, f->request_id, ERR_DOWNLOAD_MODE_FAILED, PHASE_ENTER_DOWNLOAD_MODE,
                      "could not enter WINC download mode");
        return -1;
    }
    g_winc.running = false;
    return 0;
}

static uint32_t flash_size(void) { return g_winc.flash_size ? g_winc.flash_size : FLASH_SIZE_DEFAULT; }

static bool in_window(uint32_t a, uint32_t n)
{
    return a >= PROTO_WRITE_WINDOW_START && n <= PROTO_WRITE_WINDOW_END - PROTO_WRITE_WINDOW_START &&
           a + n <= PROTO_WRITE_WINDOW_END;
}

static void do_read_flash(const frame_t *f)
{
    if (f->payload_len != 6) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_READ, "READ_FLASH takes address:u32 length:u16");
        return;
    }
    uint32_t a = get32(f->payload);
    uint16_t n = get16(f->payload + 4);
    if (n == 0 || n > s_host_max) {
        respond_error(f->type, f->request_id, ERR_PAYLOAD_TOO_LARGE, PHASE_READ, "length must be 1..hostMaxPayload");
        return;
    }
    if (a >= flash_size() || n > flash_size() - a) {
        respond_error(f->type, f->request_id, ERR_ADDRESS_OUT_OF_RANGE, PHASE_READ, "address beyond the WINC flash");
        return;
    }
    if (ensure_download_mode(f) != 0) {
        return;
    }
    /* read first (so a failure can still be reported), streaming in 256-byte pieces only
     * when the whole answer does not fit the local buffer */
    size_t cap;
    uint8_t *buf = job_scratch(&cap); /* free: no job runs while READ_FLASH is served */
    if (n <= cap) {
        if (wflash_read(a, buf, n) != 0) {
            respond_error(f->type, f->request_id, ERR_READ_FAILED, PHASE_READ, "flash read failed");
            return;
        }
        respond(f->type, f->request_id, 0, buf, n);
        return;
    }
    uint16_t id = f->request_id;
    uint8_t type = f->type;
    frame_tx_begin(&s_tx, sink, (uint8_t)(type | PROTO_RESPONSE_BIT), id, 0, n);
    for (uint32_t done = 0; done < n;) {
        uint32_t k = n - done > 256u ? 256u : n - done;
        if (wflash_read(a + done, buf, k) != 0) {
            memset(buf, 0xFF, k); /* cannot turn into an error mid-frame; the host verifies */
        }
        frame_tx_put(&s_tx, buf, k);
        done += k;
    }
    frame_tx_end(&s_tx);
    s_stats.sent++;
    s_last.valid = false;
}

static void do_write_flash(const frame_t *f)
{
    if (f->payload_len < 5) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_WRITE, "WRITE_FLASH takes address:u32 data");
        return;
    }
    uint32_t a = get32(f->payload);
    uint32_t n = f->payload_len - 4u;
    if (!in_window(a, n)) {
        respond_error(f->type, f->request_id, ERR_ADDRESS_NOT_ALLOWED, PHASE_WRITE, "address not allowed");
        return;
    }
    if (ensure_download_mode(f) != 0) {
        return;
    }
    if (wflash_write(a, f->payload + 4, n) != 0) {
        respond_error(f->type, f->request_id, ERR_WRITE_FAILED, PHASE_WRITE, "page program failed");
        return;
    }
    respond(f->type, f->request_id, 0, NULL, 0);
}

static void erase_range(const frame_t *f, uint32_t a, uint32_t n)
{
    if ((a % WINC_FLASH_SECTOR_SIZE) || (n % WINC_FLASH_SECTOR_SIZE) || n < WINC_FLASH_SECTOR_SIZE) {
        respond_error(f->type, f->request_id, ERR_ALIGNMENT, PHASE_ERASE, "address and length must be multiples of 4096");
        return;
    }
    if (!in_window(a, n)) {
        respond_error(f->type, f->request_id, ERR_ADDRESS_NOT_ALLOWED, PHASE_ERASE, "address not allowed");
        return;
    }
    if (ensure_download_mode(f) != 0) {
        return;
    }
    if (wflash_erase(a, n) != 0) {
        respond_error(f->type, f->request_id, ERR_ERASE_FAILED, PHASE_ERASE, "sector erase failed");
        return;
    }
    respond(f->type, f->request_id, 0, NULL, 0);
}

static void do_reinit(const frame_t *f)
{
    hif_enable(false);
    if (winc_start() != WINC_OK) { /* continues a boot in progress; HELLO is answered meanwhile */
        respond_error(f->type, f->request_id, ERR_WINC_NOT_RESPONDING, PHASE_REINIT, "WINC did not restart");
        return;
    }
    hif_enable(true);
    uint8_t b[7];
    respond(f->type, f->request_id, 0, b, chip_fw(b));
}

static bool empty_payload(const frame_t *f, uint8_t phase)
{
    if (f->payload_len) {
        respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, phase, "no payload expected");
        return false;
    }
    return true;
}

/* ---------------- dispatch ---------------- */

static void handle(const frame_t *f)
{
    if (f->version != PROTO_VERSION) {
        respond_error(f->type, f->request_id, ERR_UNSUPPORTED_VERSION, PHASE_SESSION, "protocol version 1 only");
        return;
    }
    if (f->type & PROTO_RESPONSE_BIT || (f->type >= 0x40u && f->type <= 0x7Fu)) {
        return; /* not a request */
    }
    if (f->flags & PROTO_FLAG_RETRANSMIT) {
        s_stats.retransmits++;
        if (s_busy && f->request_id == s_job_id && f->type == s_job_type) {
            return; /* running: its response will come */
        }
        if (s_last.valid && s_last.id == f->request_id && s_last.type == f->type) {
            send_frame((uint8_t)(f->type | PROTO_RESPONSE_BIT), f->request_id, s_last.flags, s_last.payload, s_last.len);
            return;
        }
    }
    switch (f->type) {
    case REQ_HELLO:
        do_hello(f);
        return;
    case REQ_PING:
        if (f->payload_len > s_host_max) {
            respond_error(f->type, f->request_id, ERR_PAYLOAD_TOO_LARGE, PHASE_SESSION, "echo would exceed the host limit");
        } else {
            respond(f->type, f->request_id, 0, f->payload, f->payload_len);
        }
        return;
    case REQ_GET_STATS:
        if (empty_payload(f, PHASE_SESSION)) {
            do_stats(f);
        }
        return;
    case REQ_CANCEL:
        if (f->payload_len != 2) {
            respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_SESSION, "CANCEL takes targetRequestId:u16");
            return;
        }
        if (s_busy && get16(f->payload) == s_job_id) {
            g_net_abort = 1;
        }
        respond(f->type, f->request_id, 0, NULL, 0);
        return;
    default:
        break;
    }
    if (s_busy || s_blocking) {
        respond_error(f->type, f->request_id, ERR_BUSY, s_busy ? s_job_phase : PHASE_SESSION,
                      s_busy ? "a job is running" : "the board is busy with the previous request");
        return;
    }
    s_blocking = true;
    switch (f->type) {
    case REQ_GET_WINC_INFO:
        if (empty_payload(f, PHASE_SESSION)) {
            do_winc_info(f);
        }
        break;
    case REQ_CONFIGURE_WIFI:
        do_configure_wifi(f);
        break;
    case REQ_CONFIGURE_SERVER:
        do_configure_server(f);
        break;
    case REQ_SET_JOB:
        do_set_job(f);
        break;
    case REQ_RUN_JOB:
        do_run_job(f);
        break;
    case REQ_PROVE_IDENTITY:
        do_prove(f);
        break;
    case REQ_READ_FLASH:
        do_read_flash(f);
        break;
    case REQ_WRITE_FLASH:
        do_write_flash(f);
        break;
    case REQ_ERASE_FLASH:
        if (f->payload_len != 8) {
            respond_error(f->type, f->request_id, ERR_BAD_PAYLOAD, PHASE_ERASE, "ERASE_FLASH takes address:u32 length:u32");
        } else {
            erase_range(f, get32(f->payload), get32(f->payload + 4));
        }
        break;
    case REQ_ERASE_ROOT_STORE:
        if (empty_payload(f, PHASE_ERASE)) {
            erase_range(f, WINC_ROOT_STORE_OFFSET, WINC_ROOT_STORE_SIZE);
        }
        break;
    case REQ_ERASE_TLS_STORE:
        if (empty_payload(f, PHASE_ERASE)) {
            erase_range(f, WINC_TLS_STORE_OFFSET, WINC_TLS_STORE_SIZE);
        }
        break;
    case REQ_REINIT_WINC:
        if (empty_payload(f, PHASE_REINIT)) {
            do_reinit(f);
        }
        break;
    default:
        respond_error(f->type, f->request_id, ERR_UNKNOWN_REQUEST, PHASE_SESSION, "request type not implemented");
        break;
    }
    s_blocking = false;
}

/* Received bytes not yet fed to the frame decoder. Shared by nested calls: a request that blocks
 * (REINIT_WINC, a job) is handled from inside this loop, and the wait loops it runs call back in
 * here, so a HELLO that arrived in the same read is still answered meanwhile. */
static uint8_t s_in[64];
static size_t s_in_pos, s_in_len;

static void serve_serial(void)
{
    for (;;) {
        if (s_in_pos >= s_in_len) {
            if (s_busy && s_in_len != 0) {
                s_in_len = s_in_pos = 0;
                break; /* keep the job moving; more input is read on the next idle call */
            }
            s_in_len = hal_serial_read(s_in, sizeof s_in);
            s_in_pos = 0;
            if (s_in_len == 0) {
                break;
            }
        }
        frame_t f;
        if (frame_rx_byte(&s_rx, s_in[s_in_pos++], &f)) {
            handle(&f);
        }
    }
}

static bool s_in_idle;

static void idle_hook(void)
{
    if (s_in_idle) {
        return;
    }
    s_in_idle = true;
    serve_serial();
    proto_heartbeat(s_job_phase);
    s_in_idle = false;
}

void app_init(void)
{
    frame_rx_init(&s_rx);
    wifi_init();
    sock_init();
    wait_set_idle_hook(idle_hook);
    /* learn the flash size (download mode), then start the firmware (version, MAC) in the
     * background: app_poll advances the boot while the serial link is served */
    if (winc_enter_download_mode() == WINC_OK) {
        (void)winc_start_begin();
    }
    evt_state(STATE_IDLE, PHASE_NONE);
}

void app_poll(void)
{
    serve_serial();
    if (g_winc.starting && winc_start_poll() == WINC_OK) {
        hif_enable(true);
    }
    wait_step();
}
