#include "tls_store.h"
#include <string.h>
#include "rsa_key.h"
#include "x509.h"

static const uint8_t k_pattern[8] = TLS_PATTERN;

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

int tls_store_count(const uint8_t sector[WINC_TLS_STORE_SIZE])
{
    if (memcmp(sector, k_pattern, 8) != 0) {
        for (int i = 0; i < 8; i++) {
            if (sector[i] != 0xFF) {
                return -1;
            }
        }
        return 0;
    }
    uint32_t n = rd32(sector + 8);
    return n <= TLS_MAX_FILES ? (int)n : -1;
}

int tls_store_file(const uint8_t sector[WINC_TLS_STORE_SIZE], const char *name, const uint8_t **data, size_t *len)
{
    int n = tls_store_count(sector);
    size_t l = strlen(name);
    if (l == 0 || l >= TLS_FILE_NAME_MAX) {
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const uint8_t *e = sector + 16u + TLS_FILE_ENTRY_SIZE * (unsigned)i;
        if (memcmp(e, name, l) != 0 || e[l] != 0) {
            continue;
        }
        uint32_t size = rd32(e + 48), addr = rd32(e + 52);
        if (addr < WINC_TLS_STORE_OFFSET || size > WINC_TLS_STORE_SIZE ||
            addr - WINC_TLS_STORE_OFFSET > WINC_TLS_STORE_SIZE - size) {
            return -1;
        }
        *data = sector + (addr - WINC_TLS_STORE_OFFSET);
        *len = size;
        return 0;
    }
    return -1;
}

static void hex_name(uint8_t buf[TLS_FILE_NAME_MAX], const char *prefix, const uint8_t *v, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t p = strlen(prefix);
    memcpy(buf, prefix, p);
    for (size_t i = 0; i < n && p + 2 < TLS_FILE_NAME_MAX; i++) {
        buf[p++] = (uint8_t)hx[v[i] >> 4];
        buf[p++] = (uint8_t)hx[v[i] & 15u];
    }
    buf[p] = 0;
}

static tls_result_t add_file(tls_layout_t *L, uint8_t kind, uint8_t cert, const uint8_t *name, uint32_t size)
{
    if (L->nfiles >= TLS_MAX_FILES || L->next + size > WINC_TLS_STORE_CAPACITY) {
        return TLS_ERR_FULL; /* the kept tail is never the store's */
    }
    tls_file_t *f = &L->f[L->nfiles++];
    f->kind = kind;
    f->cert = cert;
    f->size = size;
    f->rel = L->next;
    f->name = name;
    L->next += (uint32_t)WA4(size);
    return TLS_OK;
}

tls_result_t tls_layout_chain(tls_layout_t *L, const tls_cert_in_t *certs, int ncerts, const uint8_t *key_der,
                              size_t key_len, unsigned hdr_size)
{
    enum { MAXC = 8 };
    x509_t c[MAXC];
    int order[MAXC];
    int used[MAXC] = {0};
    memset(L, 0, sizeof *L);
    L->hdr_size = hdr_size;
    L->next = hdr_size;
    if (ncerts < 1 || ncerts > MAXC) {
        return TLS_ERR_CERT;
    }
    for (int i = 0; i < ncerts; i++) {
        if (x509_parse(certs[i].der, certs[i].len, &c[i]) != X509_OK) {
            return TLS_ERR_CERT;
        }
    }
    /* chain order: leaf first, then each certificate's issuer */
    int nchain = 0;
    order[nchain++] = 0;
    used[0] = 1;
    for (;;) {
        const x509_t *cur = &c[order[nchain - 1]];
        if (memcmp(cur->issuer_sha1, cur->subject_sha1, 20) == 0) {
            break; /* self-signed */
        }
        int next = -1;
        for (int i = 0; i < ncerts; i++) {
            if (!used[i] && memcmp(c[i].subject_sha1, cur->issuer_sha1, 20) == 0) {
                next = i;
                break;
            }
        }
        if (next < 0) {
            break;
        }
        used[next] = 1;
        order[nchain++] = next;
    }
    L->rsa = c[0].key_type == X509_KEY_RSA;
    uint32_t priv_size = 0;
    if (L->rsa) {
        if (!key_der || key_len == 0 || rsa_key_parse(key_der, key_len, &L->key) != 0) {
            return TLS_ERR_KEY;
        }
        if (L->key.len[0] != c[0].rsa_n_len || memcmp(L->key.v[0], c[0].rsa_n, L->key.len[0]) != 0) {
            return TLS_ERR_KEY_MISMATCH;
        }
        /* header + WA of every element (the app's store engine uses the same rule; the
         * reference leaves the last element's padding unconfirmed) */
        priv_size = TLS_PRIV_HDR_SIZE;
        for (int i = 0; i < 8; i++) {
            priv_size += (uint32_t)WA4(L->key.len[i]);
        }
    }
    /* CERT_ files; the name buffer is reused like Microchip's tool does */
    uint8_t namebuf[TLS_FILE_NAME_MAX] = {0};
    L->nchain = (uint8_t)nchain;
    for (int i = 0; i < nchain; i++) {
        const x509_t *x = &c[order[i]];
        L->chain[i].der = x->der;
        L->chain[i].len = x->der_len;
        hex_name(namebuf, "CERT_", x->serial, x->serial_len);
        memcpy(L->names[i], namebuf, TLS_FILE_NAME_MAX);
        bool stored = false;
        for (int k = 0; k < i; k++) {
            stored |= strcmp((const char *)L->names[k], (const char *)namebuf) == 0;
        }
        if (!stored && add_file(L, TLS_FILE_CERT, (uint8_t)i, L->names[i], (uint32_t)x->der_len) != TLS_OK) {
            return TLS_ERR_FULL; /* already stored (same serial twice): listed, not written again */
        }
    }
    if (L->rsa) {
        memcpy(L->privname, "PRIV_", 5);
        memcpy(L->privname + 5, L->names[0] + 5, strlen((const char *)L->names[0] + 5) + 1);
        if (add_file(L, TLS_FILE_PRIV, 0, L->privname, priv_size) != TLS_OK) {
            return TLS_ERR_FULL;
        }
    }
    const char *ln = L->rsa ? "RSA.lst" : "ECDSA.lst";
    memcpy(L->listname, ln, strlen(ln));
    uint32_t records = (uint32_t)nchain + (L->rsa ? 1u : 0u);
    return add_file(L, TLS_FILE_LIST, 0, L->listname, records * TLS_FILE_NAME_MAX);
}

/* copies the part of [src_off, src_off+len) of a virtual region that falls in [off, off+n) */
static void overlay(uint32_t off, uint8_t *out, size_t n, uint32_t at, const uint8_t *src, uint32_t len)
{
    uint32_t lo = at > off ? at : off;
    uint32_t hi = at + len < off + (uint32_t)n ? at + len : off + (uint32_t)n;
    if (lo < hi) {
        memcpy(out + (lo - off), src + (lo - at), hi - lo);
    }
}

static void read_header(const tls_layout_t *L, uint32_t off, uint8_t *out, size_t n)
{
    uint8_t w[8];
    overlay(off, out, n, 0, k_pattern, 8);
    wr32(w, L->nfiles);
    wr32(w + 4, WINC_TLS_STORE_OFFSET + L->next);
    overlay(off, out, n, 8, w, 8);
    for (uint32_t i = 0; i < L->nfiles; i++) {
        uint32_t e = 16u + TLS_FILE_ENTRY_SIZE * i;
        overlay(off, out, n, e, L->f[i].name, TLS_FILE_NAME_MAX);
        wr32(w, L->f[i].size);
        wr32(w + 4, WINC_TLS_STORE_OFFSET + L->f[i].rel);
        overlay(off, out, n, e + TLS_FILE_NAME_MAX, w, 8);
    }
    /* the CRC word (468-byte headers) stays 0xFFFFFFFF, as Microchip's tools leave it */
}

static void read_priv(const tls_layout_t *L, uint32_t at, uint32_t off, uint8_t *out, size_t n)
{
    uint8_t h[TLS_PRIV_HDR_SIZE];
    uint32_t o = TLS_PRIV_HDR_SIZE;
    static const uint8_t zeros[4];
    for (int i = 0; i < 8; i++) {
        wr16(h + 2 * i, (uint16_t)L->key.len[i]);
    }
    wr32(h + 16, 0); /* version */
    for (int i = 0; i < 8; i++) {
        wr32(h + 20 + 4 * i, TLS_PRIV_PTR_BASE + o);
        overlay(off, out, n, at + o, L->key.v[i], (uint32_t)L->key.len[i]);
        uint32_t padded = (uint32_t)WA4(L->key.len[i]); /* every element, the last too: 52 + sum of WA(size) */
        overlay(off, out, n, at + o + (uint32_t)L->key.len[i], zeros, padded - (uint32_t)L->key.len[i]);
        o += padded;
    }
    overlay(off, out, n, at, h, TLS_PRIV_HDR_SIZE);
}

void tls_layout_read(const tls_layout_t *L, uint32_t off, uint8_t *out, size_t n)
{
    memset(out, 0xFF, n);
    read_header(L, off, out, n);
    for (uint32_t i = 0; i < L->nfiles; i++) {
        const tls_file_t *f = &L->f[i];
        if (f->rel >= off + n || f->rel + f->size <= off) {
            continue;
        }
        if (f->kind == TLS_FILE_CERT) {
            overlay(off, out, n, f->rel, L->chain[f->cert].der, f->size);
        } else if (f->kind == TLS_FILE_PRIV) {
            read_priv(L, f->rel, off, out, n);
        } else {
            uint32_t r = 0;
            if (L->rsa) {
                overlay(off, out, n, f->rel, L->privname, TLS_FILE_NAME_MAX);
                r++;
            }
            for (uint32_t k = 0; k < L->nchain; k++, r++) {
                overlay(off, out, n, f->rel + r * TLS_FILE_NAME_MAX, L->names[k], TLS_FILE_NAME_MAX);
            }
        }
    }
}

tls_result_t tls_store_write_chain(uint8_t sector[WINC_TLS_STORE_SIZE], const tls_cert_in_t *certs, int ncerts,
                                   const uint8_t *key, size_t key_len, unsigned hdr_size, uint8_t *scratch,
                                   size_t scratch_len)
{
    static tls_layout_t L;
    const uint8_t *kd = key;
    size_t kl = key_len;
    if (key && key_len && key[0] != 0x30) {
        int n = scratch ? pem_to_der(key, key_len, scratch, scratch_len) : -1;
        if (n <= 0) {
            kd = NULL;
            kl = 0;
        } else {
            kd = scratch;
            kl = (size_t)n;
        }
    }
    tls_result_t r = tls_layout_chain(&L, certs, ncerts, kd, kl, hdr_size);
    if (r != TLS_OK) {
        return r;
    }
    tls_layout_read(&L, 0, sector, WINC_TLS_STORE_CAPACITY);
    return TLS_OK;
}
