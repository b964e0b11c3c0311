/*
 * RUN_JOB (docs/serial-protocol.md 4.2): WIFI_CONNECT -> DOWNLOAD -> ENTER_DOWNLOAD_MODE ->
 * ERASE/WRITE/VERIFY per section (root store, then TLS store) -> REINIT.
 *
 * Downloads are streamed (board_limits.h): a root certificate is decoded into the 4 KiB root
 * buffer and reduced to its root-store entry at once; TLS files are staged as DER. In download
 * mode the root buffer holds the root store being merged, then the TLS section's kept tail; the
 * TLS store is planned as a layout and written and verified page by page from it.
 */
#include "job.h"
#include <string.h>
#include "board_limits.h"
#include "der_stream.h"
#include "hal.h"
#include "http_client.h"
#include "root_store.h"
#include "rsa_key.h"
#include "tls_store.h"
#include "winc_drv.h"
#include "winc_flash.h"
#include "winc_flash_layout.h"
#include "winc_hif.h"
#include "winc_regs.h"
#include "winc_session.h"
#include "winc_socket.h"
#include "winc_wifi.h"
#include "x509.h"

#define PAGE WINC_FLASH_PAGE_SIZE

/* root buffer: a root certificate while it downloads; the root store in download mode; then the
 * TLS section's kept tail */
static uint8_t s_root[WINC_ROOT_STORE_SIZE];
/* staging: the new root entries [0, LIMIT_ROOT_ENTRY_BYTES), then the TLS files as DER */
static uint8_t s_stage[LIMIT_ROOT_ENTRY_BYTES + LIMIT_TLS_FILE_BYTES];
#define TLS_STAGE (s_stage + LIMIT_ROOT_ENTRY_BYTES)
static struct {
    uint32_t off, len; /* root entry (in s_stage) or TLS DER (in TLS_STAGE) */
} s_file[JOB_MAX_ENTRIES];
static uint32_t s_root_used, s_tls_used;
static tls_layout_t s_tls;

uint8_t *job_scratch(size_t *len)
{
    *len = sizeof s_stage;
    return s_stage;
}

static size_t append(char *dst, size_t at, size_t max, const char *src)
{
    while (*src && at + 1 < max) {
        dst[at++] = *src++;
    }
    dst[at] = 0;
    return at;
}

static size_t append_u16(char *dst, size_t at, size_t max, uint16_t v)
{
    char d[6];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    char s[6];
    for (int i = 0; i < n; i++) {
        s[i] = d[n - 1 - i];
    }
    s[n] = 0;
    return append(dst, at, max, s);
}

typedef struct {
    uint8_t entry;
    der_stream_t der;
} dl_ctx_t;

static int to_der(void *ctx, const uint8_t *p, size_t n) { return der_stream_put(&((dl_ctx_t *)ctx)->der, p, n); }

static void on_progress(void *ctx, uint32_t received, uint32_t total)
{
    evt_file_packet(((dl_ctx_t *)ctx)->entry, received, total);
}

static int fail(proto_error_t *err, uint16_t code, uint8_t phase, uint8_t entry, const char *msg)
{
    return proto_fail(err, code, phase, entry, msg);
}

static int cancelled(proto_error_t *err, uint8_t phase)
{
    if (g_net_abort) {
        return fail(err, ERR_CANCELLED, phase, 0xFF, "cancelled");
    }
    return 0;
}

int job_validate(const job_cfg_t *c)
{
    int rsa_groups = 0, ecc_groups = 0;
    if (c->count < 1 || c->count > LIMIT_JOB_ENTRIES) {
        return -1;
    }
    for (int i = 0; i < c->count;) {
        const job_entry_t *e = &c->e[i];
        size_t n = strlen(e->name);
        if (n < 1 || n > LIMIT_FILE_NAME || e->name[0] == '/' || strstr(e->name, "..")) {
            return -1;
        }
        for (size_t k = 0; k < n; k++) {
            if (e->name[k] < (k == 0 ? 0x21 : 0x20) || e->name[k] > 0x7E) {
                return -1;
            }
        }
        if (e->cert_type == CERT_TYPE_ROOT) {
            if (e->num_chain != 0) {
                return -1;
            }
            i++;
            continue;
        }
        if (e->cert_type != CERT_TYPE_TLS_RSA && e->cert_type != CERT_TYPE_TLS_ECC) {
            return -1;
        }
        if (e->num_chain < 1 || i + 1 + e->num_chain > c->count || e->num_chain > LIMIT_CHAIN_CERTS) {
            return -1;
        }
        for (int k = 1; k <= e->num_chain; k++) {
            if (c->e[i + k].cert_type != e->cert_type || c->e[i + k].num_chain != 0) {
                return -1;
            }
        }
        if (e->cert_type == CERT_TYPE_TLS_RSA) {
            rsa_groups++;
        } else {
            ecc_groups++;
        }
        i += 1 + e->num_chain;
    }
    return (rsa_groups > 1 || ecc_groups > 1) ? -1 : 0;
}

/* the entry index of the key file of the group entry i belongs to (or -1 for roots) */
static int group_key(const job_cfg_t *c, int i)
{
    for (int k = 0; k < c->count;) {
        if (c->e[k].cert_type == CERT_TYPE_ROOT) {
            k++;
            continue;
        }
        if (i >= k && i <= k + c->e[k].num_chain) {
            return k;
        }
        k += 1 + c->e[k].num_chain;
    }
    return -1;
}

/* a downloaded root certificate (DER in s_root) -> its entry, appended to the staged roots */
static int stage_root(const job_cfg_t *c, int i, size_t der_len, proto_error_t *err)
{
    x509_t x;
    x509_err_t xe = x509_parse(s_root, der_len, &x);
    if (xe == X509_ERR_KEY) {
        return fail(err, ERR_UNSUPPORTED_KEY, PHASE_DOWNLOAD, (uint8_t)i,
                    "key type the WINC store cannot hold (RSA up to 4096 bits or ECDSA P-256 only)");
    }
    if (xe != X509_OK) {
        return fail(err, ERR_CERT_PARSE_FAILED, PHASE_DOWNLOAD, (uint8_t)i, "not a usable X.509 certificate");
    }
    size_t es = root_entry_build(&x, s_stage + s_root_used, LIMIT_ROOT_ENTRY_BYTES - s_root_used);
    if (es == 0) {
        return fail(err, ERR_STORE_FULL, PHASE_DOWNLOAD, (uint8_t)i,
                    "Root Certificate Flash is Full: the job's roots need more than the 4076 bytes of the root store");
    }
    s_file[i].off = s_root_used;
    s_file[i].len = (uint32_t)es;
    s_root_used += (uint32_t)es;
    const uint8_t *cn;
    size_t cnl;
    if (x509_subject_cn(&x, &cn, &cnl) != 0) {
        cn = (const uint8_t *)c->e[i].name;
        cnl = strlen(c->e[i].name);
    }
    evt_cert_found((uint8_t)i, CERT_TYPE_ROOT, (const char *)cn, (uint32_t)cnl);
    return 0;
}

/* a staged TLS file (DER in TLS_STAGE): a key is checked, a certificate parsed */
static int check_tls_file(const job_cfg_t *c, int i, proto_error_t *err)
{
    const uint8_t *d = TLS_STAGE + s_file[i].off;
    if (group_key(c, i) == i) { /* private key file of a TLS group */
        if (c->e[i].cert_type == CERT_TYPE_TLS_RSA) {
            rsa_key_t k;
            if (rsa_key_parse(d, s_file[i].len, &k) != 0) {
                return fail(err, ERR_CERT_PARSE_FAILED, PHASE_DOWNLOAD, (uint8_t)i,
                            "not an RSA private key (PEM PKCS#1/PKCS#8 or DER)");
            }
        }
        evt_cert_found((uint8_t)i, c->e[i].cert_type, c->e[i].name, (uint32_t)strlen(c->e[i].name));
        return 0;
    }
    x509_t x;
    x509_err_t xe = x509_parse(d, s_file[i].len, &x);
    if (xe == X509_ERR_KEY) {
        return fail(err, ERR_UNSUPPORTED_KEY, PHASE_DOWNLOAD, (uint8_t)i,
                    "key type the WINC store cannot hold (RSA up to 4096 bits or ECDSA P-256 only)");
    }
    if (xe != X509_OK) {
        return fail(err, ERR_CERT_PARSE_FAILED, PHASE_DOWNLOAD, (uint8_t)i, "not a usable X.509 certificate");
    }
    const uint8_t *cn;
    size_t cnl;
    if (x509_subject_cn(&x, &cn, &cnl) != 0) {
        cn = (const uint8_t *)c->e[i].name;
        cnl = strlen(c->e[i].name);
    }
    evt_cert_found((uint8_t)i, c->e[i].cert_type, (const char *)cn, (uint32_t)cnl);
    return 0;
}

/* One HTTP/1.1 GET of entry i on the job's connection: the connection is kept for the next file
 * (keep-alive) and made again only when the server closed it. A request on a kept connection that
 * gets no answer at all (the server closed it meanwhile) is sent once more on a new one. */
static http_err_t fetch_one(const job_cfg_t *c, int i, const uint8_t ip[4], bool *connected, dl_ctx_t *dc,
                            http_result_t *hr, proto_error_t *err, job_result_t *res, bool *failed)
{
    const bool root = c->e[i].cert_type == CERT_TYPE_ROOT;
    for (int attempt = 0;; attempt++) {
        bool reused = *connected && sock_is_open();
        if (!reused) {
            uint8_t opts = (c->server_flags & 1u) ? SOCK_OPT_CHECK_SNI : 0u;
            if (session_tls_connect(ip, c->port, c->sni, opts, PHASE_DOWNLOAD, (uint8_t)i, err) != 0) {
                *failed = true;
                return HTTP_ERR_IO;
            }
            *connected = true;
            res->tls_handshakes++;
        }
        if (root) {
            der_stream_init(&dc->der, s_root, LIMIT_ROOT_CERT_DER);
        } else {
            uint32_t room = s_tls_used < LIMIT_TLS_FILE_BYTES ? LIMIT_TLS_FILE_BYTES - s_tls_used : 0;
            der_stream_init(&dc->der, TLS_STAGE + s_tls_used, room);
        }
        http_request_t q = {c->sni[0] ? c->sni : c->host, c->port, c->e[i].name, true, false, to_der, dc,
                            on_progress, dc};
        http_err_t he = http_request(session_http_io(), &q, hr);
        if (he != HTTP_OK || !hr->keep_alive) {
            sock_close();
            *connected = false;
        }
        if (reused && attempt == 0 && hr->status == 0 && (he == HTTP_ERR_IO || he == HTTP_ERR_TRUNCATED) && !g_net_abort) {
            continue; /* the server had closed the kept connection: once more on a new one */
        }
        return he;
    }
}

static int download_all(const job_cfg_t *c, const uint8_t ip[4], proto_error_t *err, job_result_t *res)
{
    s_root_used = s_tls_used = 0;
    bool connected = false;
    int r = -1;
    for (int i = 0; i < c->count; i++) {
        char url[160];
        size_t u = append(url, 0, sizeof url, "https://");
        u = append(url, u, sizeof url, c->host);
        u = append(url, u, sizeof url, ":");
        u = append_u16(url, u, sizeof url, c->port);
        u = append(url, u, sizeof url, "/");
        (void)append(url, u, sizeof url, c->e[i].name);
        evt_u8_str(EVT_DOWNLOAD_STARTED, (uint8_t)i, url);
        const bool root = c->e[i].cert_type == CERT_TYPE_ROOT;
        static dl_ctx_t dc;
        dc.entry = (uint8_t)i;
        http_result_t hr;
        bool failed = false;
        http_err_t he = fetch_one(c, i, ip, &connected, &dc, &hr, err, res, &failed);
        if (failed) {
            goto out;
        }
        if (g_net_abort) {
            fail(err, ERR_CANCELLED, PHASE_DOWNLOAD, (uint8_t)i, "cancelled");
            goto out;
        }
        if (he == HTTP_ERR_STATUS) {
            fail(err, ERR_HTTP_STATUS, PHASE_DOWNLOAD, (uint8_t)i, hr.status_line);
            goto out;
        }
        if (he == HTTP_ERR_TOO_LARGE) {
            if (root) {
                fail(err, ERR_FILE_TOO_LARGE, PHASE_DOWNLOAD, (uint8_t)i, "root certificate larger than 4096 bytes (DER)");
            } else {
                fail(err, ERR_STORE_FULL, PHASE_DOWNLOAD, (uint8_t)i,
                     "the job's TLS files need more than the 7212 bytes the TLS store holds for files");
            }
            goto out;
        }
        if (he != HTTP_OK) {
            fail(err, ERR_DOWNLOAD_FAILED, PHASE_DOWNLOAD, (uint8_t)i,
                 he == HTTP_ERR_TRUNCATED ? "connection closed before the end of the file" : "download failed");
            goto out;
        }
        res->files++;
        evt_file_downloaded((uint8_t)i, (uint32_t)hr.body_len, c->e[i].name);
        int der_len = der_stream_end(&dc.der);
        if (der_len <= 0) {
            fail(err, ERR_CERT_PARSE_FAILED, PHASE_DOWNLOAD, (uint8_t)i,
                 "not a DER or PEM certificate or key (encrypted keys are not supported)");
            goto out;
        }
        if (root) {
            if (stage_root(c, i, (size_t)der_len, err) != 0) {
                goto out;
            }
        } else {
            s_file[i].off = s_tls_used;
            s_file[i].len = (uint32_t)der_len;
            s_tls_used += (uint32_t)WA4((uint32_t)der_len);
            if (check_tls_file(c, i, err) != 0) {
                goto out;
            }
        }
        if (cancelled(err, PHASE_DOWNLOAD)) {
            goto out;
        }
    }
    r = 0;
out:
    sock_close(); /* the job's connection, if the server left it open */
    return r;
}

/* Plans the TLS store for the plan's groups (one chain: the store holds one RSA or one ECDSA chain
 * per job, as the app plans it). */
static int plan_tls(const job_cfg_t *c, proto_error_t *err)
{
    for (int k = 0; k < c->count;) {
        const job_entry_t *e = &c->e[k];
        if (e->cert_type == CERT_TYPE_ROOT) {
            k++;
            continue;
        }
        tls_cert_in_t certs[LIMIT_CHAIN_CERTS];
        int n = e->num_chain;
        for (int j = 0; j < n; j++) {
            certs[j].der = TLS_STAGE + s_file[k + 1 + j].off;
            certs[j].len = s_file[k + 1 + j].len;
        }
        bool rsa = e->cert_type == CERT_TYPE_TLS_RSA;
        /* 464-byte header (no CRC field) for 19.5.x firmware, 468 from 19.6 on and when unknown */
        unsigned hdr = (g_winc.fw[0] == 19 && g_winc.fw[1] == 5) ? TLS_HDR_SIZE_19_5 : TLS_HDR_SIZE_19_6;
        tls_result_t r = tls_layout_chain(&s_tls, certs, n, rsa ? TLS_STAGE + s_file[k].off : NULL,
                                          rsa ? s_file[k].len : 0, hdr);
        switch (r) {
        case TLS_OK:
            return 0;
        case TLS_ERR_FULL:
            return fail(err, ERR_STORE_FULL, PHASE_DOWNLOAD, (uint8_t)k,
                        "TLS store has no room (8 files, 7680 bytes: the section's last 512 bytes are kept)");
        case TLS_ERR_KEY_MISMATCH:
            return fail(err, ERR_CERT_PARSE_FAILED, PHASE_DOWNLOAD, (uint8_t)k,
                        "private key does not match the server certificate");
        case TLS_ERR_KEY:
            return fail(err, ERR_CERT_PARSE_FAILED, PHASE_DOWNLOAD, (uint8_t)k, "private key cannot be used");
        default:
            return fail(err, ERR_CERT_PARSE_FAILED, PHASE_DOWNLOAD, (uint8_t)(k + 1), "certificate chain cannot be stored");
        }
    }
    return 0;
}

/* where a section's bytes come from while it is written and verified */
typedef void (*section_src_t)(uint32_t off, uint8_t *out, size_t n);

static void root_src(uint32_t off, uint8_t *out, size_t n) { memcpy(out, s_root + off, n); }

static void tls_src(uint32_t off, uint8_t *out, size_t n)
{
    /* the store area from the layout, the kept tail as read (in s_root) */
    for (size_t done = 0; done < n;) {
        uint32_t at = off + (uint32_t)done;
        size_t k;
        if (at < WINC_TLS_STORE_CAPACITY) {
            k = WINC_TLS_STORE_CAPACITY - at < n - done ? WINC_TLS_STORE_CAPACITY - at : n - done;
            tls_layout_read(&s_tls, at, out + done, k);
        } else {
            k = n - done;
            memcpy(out + done, s_root + (at - WINC_TLS_STORE_CAPACITY), k);
        }
        done += k;
    }
}

/* erase + write (skipping pages that are all 0xFF) + verify one section, page by page */
static int write_section(uint32_t off, uint32_t size, uint8_t section, section_src_t src, proto_error_t *err)
{
    uint8_t page[PAGE], back[PAGE];
    evt_state(STATE_RUNNING, PHASE_ERASE);
    if (wflash_erase(off, size) != 0) {
        return fail(err, ERR_ERASE_FAILED, PHASE_ERASE, 0xFF, "sector erase failed");
    }
    evt_progress(PHASE_ERASE, size, size);
    evt_state(STATE_RUNNING, PHASE_WRITE);
    for (uint32_t p = 0; p < size; p += PAGE) {
        src(p, page, PAGE);
        bool blank = true;
        for (uint32_t i = 0; i < PAGE; i++) {
            if (page[i] != 0xFF) {
                blank = false;
                break;
            }
        }
        if (!blank && wflash_write(off + p, page, PAGE) != 0) {
            return fail(err, ERR_WRITE_FAILED, PHASE_WRITE, 0xFF, "page program failed");
        }
        if (((p + PAGE) % 1024u) == 0) {
            evt_progress(PHASE_WRITE, p + PAGE, size);
        }
    }
    evt_state(STATE_RUNNING, PHASE_VERIFY);
    for (uint32_t p = 0; p < size; p += PAGE) {
        src(p, page, PAGE);
        if (wflash_read(off + p, back, PAGE) != 0) {
            return fail(err, ERR_READ_FAILED, PHASE_VERIFY, 0xFF, "flash read failed");
        }
        if (memcmp(back, page, PAGE) != 0) {
            return fail(err, ERR_VERIFY_FAILED, PHASE_VERIFY, 0xFF, "read-back differs from what was written");
        }
    }
    evt_progress(PHASE_VERIFY, size, size);
    evt_section_verified(section, size);
    return 0;
}

static int do_flash_part(const job_cfg_t *c, job_result_t *res, proto_error_t *err)
{
    bool has_root = false, has_tls = false;
    for (int i = 0; i < c->count; i++) {
        if (c->e[i].cert_type == CERT_TYPE_ROOT) {
            has_root = true;
        } else {
            has_tls = true;
        }
    }
    /* the root store as it is: counted for the answer, and the base unless replaced */
    bool root_read = wflash_read(WINC_ROOT_STORE_OFFSET, s_root, WINC_ROOT_STORE_SIZE) == 0;
    int existing = root_read ? root_store_count(s_root) : -1;
    res->root_count = existing > 0 ? (uint8_t)existing : 0;
    bool removes_existing = false;
    if (!(c->job_flags & JOB_FLAG_REPLACE_ROOT) && existing > 0) {
        for (int k = 0; k < c->remove_count; k++) {
            removes_existing |= root_store_find(s_root, c->remove[k]) >= 0;
        }
    }
    if (has_root || removes_existing) {
        evt_state(STATE_RUNNING, PHASE_ERASE);
        if (c->job_flags & JOB_FLAG_REPLACE_ROOT) {
            root_store_init(s_root);
        } else if (!root_read) {
            return fail(err, ERR_READ_FAILED, PHASE_ERASE, 0xFF, "reading the root store failed");
        } else if (existing < 0) {
            return fail(err, ERR_INTERNAL, PHASE_ERASE, 0xFF,
                        "existing root store is not a V1 (19.5+) store; use REPLACE_ROOT_STORE");
        } else if (existing == 0) {
            root_store_init(s_root);
        }
        for (int i = 0; i < c->count; i++) {
            if (c->e[i].cert_type != CERT_TYPE_ROOT) {
                continue;
            }
            root_result_t r = root_store_add_entry(s_root, s_stage + s_file[i].off, s_file[i].len);
            if (r == ROOT_ERR_FULL) {
                return fail(err, ERR_STORE_FULL, PHASE_WRITE, (uint8_t)i, "Root Certificate Flash is Full");
            }
            if (r < 0) {
                return fail(err, ERR_CERT_PARSE_FAILED, PHASE_WRITE, (uint8_t)i, "root certificate cannot be stored");
            }
            res->roots++;
        }
        for (int k = 0; k < c->remove_count; k++) {
            if (root_store_remove(s_root, c->remove[k]) == 1) {
                evt_log(1, "root store: left out a root the job was told to remove");
            }
        }
        if (write_section(WINC_ROOT_STORE_OFFSET, WINC_ROOT_STORE_SIZE, 1, root_src, err) != 0) {
            return -1;
        }
        res->root_count = (uint8_t)root_store_count(s_root);
        for (int i = 0; i < c->count; i++) {
            if (c->e[i].cert_type == CERT_TYPE_ROOT) {
                evt_root_written((uint8_t)i, res->root_count);
            }
        }
    }
    if (has_tls) {
        /* the section's last two pages (AWS endpoint, thing name) are written back as they are */
        if (wflash_read(WINC_TLS_STORE_OFFSET + WINC_TLS_STORE_CAPACITY, s_root, WINC_TLS_KEPT_TAIL) != 0) {
            return fail(err, ERR_READ_FAILED, PHASE_ERASE, 0xFF, "reading the TLS section failed");
        }
        if (write_section(WINC_TLS_STORE_OFFSET, WINC_TLS_STORE_SIZE, 2, tls_src, err) != 0) {
            return -1;
        }
        res->tls_files = s_tls.nfiles;
        evt_tls_written(s_tls.nfiles, s_tls.next);
    }
    return 0;
}

int job_run(const job_cfg_t *c, job_result_t *res, proto_error_t *err)
{
    memset(res, 0, sizeof *res);
    g_net_abort = 0;

    /* 1. WIFI_CONNECT */
    evt_state(STATE_RUNNING, PHASE_WIFI_CONNECT);
    if (session_winc_up(PHASE_WIFI_CONNECT, false, err) != 0 || session_join(c, err) != 0) {
        return -1;
    }

    /* 2. DOWNLOAD, and the TLS store planned before the flash is touched */
    evt_state(STATE_RUNNING, PHASE_DOWNLOAD);
    uint8_t sip[4];
    if (session_resolve(c->host, sip, PHASE_DOWNLOAD, err) != 0) {
        return -1;
    }
    if (download_all(c, sip, err, res) != 0 || plan_tls(c, err) != 0) {
        return -1;
    }
    if (cancelled(err, PHASE_DOWNLOAD)) {
        return -1;
    }

    /* 3. ENTER_DOWNLOAD_MODE */
    evt_state(STATE_RUNNING, PHASE_ENTER_DOWNLOAD_MODE);
    hif_enable(false);
    if (winc_enter_download_mode() != WINC_OK) {
        fail(err, ERR_DOWNLOAD_MODE_FAILED, PHASE_ENTER_DOWNLOAD_MODE, 0xFF, "could not enter WINC download mode");
        (void)winc_start();
        return -1;
    }
    evt_simple(EVT_WINC_DOWNLOAD_MODE);

    /* 4. ERASE / WRITE / VERIFY (no cancel point inside) */
    int r = do_flash_part(c, res, err);

    /* 5. REINIT, also after a failure */
    evt_state(STATE_RUNNING, PHASE_REINIT);
    winc_err_t re = winc_start();
    if (re == WINC_OK) {
        hif_enable(true);
        evt_winc_ready();
    }
    if (r != 0) {
        return -1;
    }
    if (re != WINC_OK) {
        return fail(err, ERR_WINC_NOT_RESPONDING, PHASE_REINIT, 0xFF, "WINC did not restart");
    }
    return 0;
}
