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

typedef struct {
    uint8_t *sec;
    uint32_t n;
    uint32_t next; /* absolute flash address */
} writer_t;

static int find_file(const writer_t *w, const char *name)
{
    size_t l = strlen(name);
    for (uint32_t i = 0; i < w->n; i++) {
        if (memcmp(w->sec + 16u + TLS_FILE_ENTRY_SIZE * i, name, l) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* reserve a file: entry with the given 48-byte name field; returns data pointer */
static uint8_t *add_file(writer_t *w, const uint8_t name48[TLS_FILE_NAME_MAX], size_t size)
{
    if (w->n >= TLS_MAX_FILES) {
        return NULL;
    }
    uint32_t rel = w->next - WINC_TLS_STORE_OFFSET;
    if (rel + size > WINC_TLS_STORE_CAPACITY) {
        return NULL; /* the kept tail is never the store's */
    }
    uint8_t *e = w->sec + 16u + TLS_FILE_ENTRY_SIZE * w->n;
    memcpy(e, name48, TLS_FILE_NAME_MAX);
    wr32(e + 48, (uint32_t)size);
    wr32(e + 52, w->next);
    w->n++;
    w->next += (uint32_t)WA4(size);
    return w->sec + rel;
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

tls_result_t tls_store_write_chain(uint8_t sector[WINC_TLS_STORE_SIZE], const tls_cert_in_t *certs, int ncerts,
                                   const uint8_t *key, size_t key_len, unsigned hdr_size, bool append,
                                   uint8_t *scratch, size_t scratch_len)
{
    enum { MAXC = 8 };
    x509_t c[MAXC];
    int order[MAXC];
    int used[MAXC] = {0};
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

    rsa_key_t k;
    const bool rsa = c[0].key_type == X509_KEY_RSA;
    size_t priv_size = 0;
    if (rsa) {
        if (!key || key_len == 0) {
            return TLS_ERR_KEY;
        }
        const uint8_t *kd = key;
        size_t kl = key_len;
        if (key[0] != 0x30) {
            if (!scratch) {
                return TLS_ERR_KEY;
            }
            int n = pem_to_der(key, key_len, scratch, scratch_len);
            if (n <= 0) {
                return TLS_ERR_KEY;
            }
            kd = scratch;
            kl = (size_t)n;
        }
        if (rsa_key_parse(kd, kl, &k) != 0) {
            return TLS_ERR_KEY;
        }
        if (k.len[0] != c[0].rsa_n_len || memcmp(k.v[0], c[0].rsa_n, k.len[0]) != 0) {
            return TLS_ERR_KEY_MISMATCH;
        }
        priv_size = TLS_PRIV_HDR_SIZE;
        for (int i = 0; i < 8; i++) {
            priv_size += WA4(k.len[i]);
        }
        /* header + WA of every element (the app's store engine uses the same rule; the
         * reference leaves the last element's padding unconfirmed) */
    }

    writer_t w;
    w.sec = sector;
    if (append && tls_store_count(sector) > 0) {
        w.n = rd32(sector + 8);
        w.next = rd32(sector + 12);
    } else if (append && tls_store_count(sector) < 0) {
        return TLS_ERR_FORMAT;
    } else {
        memset(sector, 0xFF, WINC_TLS_STORE_CAPACITY); /* the kept tail stays as the caller loaded it */
        memcpy(sector, k_pattern, 8);
        w.n = 0;
        w.next = WINC_TLS_STORE_OFFSET + hdr_size;
    }

    /* CERT_ files; the name buffer is reused like Microchip's tool does */
    uint8_t namebuf[TLS_FILE_NAME_MAX] = {0};
    uint8_t names[MAXC][TLS_FILE_NAME_MAX];
    for (int i = 0; i < nchain; i++) {
        const x509_t *x = &c[order[i]];
        hex_name(namebuf, "CERT_", x->serial, x->serial_len);
        memcpy(names[i], namebuf, TLS_FILE_NAME_MAX);
        if (find_file(&w, (const char *)namebuf) >= 0) {
            continue; /* already stored (shared root): listed, not written */
        }
        uint8_t *d = add_file(&w, namebuf, x->der_len);
        if (!d) {
            return TLS_ERR_FULL;
        }
        memcpy(d, x->der, x->der_len);
    }
    uint8_t privname[TLS_FILE_NAME_MAX] = {0};
    if (rsa) {
        memcpy(privname, "PRIV_", 5);
        memcpy(privname + 5, names[0] + 5, strlen((const char *)names[0] + 5) + 1);
        uint8_t *d = add_file(&w, privname, priv_size);
        if (!d) {
            return TLS_ERR_FULL;
        }
        uint32_t off = TLS_PRIV_HDR_SIZE;
        for (int i = 0; i < 8; i++) {
            wr16(d + 2 * i, (uint16_t)k.len[i]);
        }
        wr32(d + 16, 0); /* version */
        for (int i = 0; i < 8; i++) {
            wr32(d + 20 + 4 * i, TLS_PRIV_PTR_BASE + off);
            memcpy(d + off, k.v[i], k.len[i]);
            size_t padded = WA4(k.len[i]); /* every element, the last too: 52 + sum of WA(size), as the app */
            memset(d + off + k.len[i], 0x00, padded - k.len[i]);
            off += (uint32_t)padded;
        }
    }
    uint8_t lstname[TLS_FILE_NAME_MAX] = {0};
    const char *ln = rsa ? "RSA.lst" : "ECDSA.lst";
    memcpy(lstname, ln, strlen(ln));
    size_t nrec = (size_t)nchain + (rsa ? 1u : 0u);
    uint8_t *d = add_file(&w, lstname, nrec * TLS_FILE_NAME_MAX);
    if (!d) {
        return TLS_ERR_FULL;
    }
    if (rsa) {
        memcpy(d, privname, TLS_FILE_NAME_MAX);
        d += TLS_FILE_NAME_MAX;
    }
    for (int i = 0; i < nchain; i++) {
        memcpy(d + TLS_FILE_NAME_MAX * (size_t)i, names[i], TLS_FILE_NAME_MAX);
    }
    wr32(sector + 8, w.n);
    wr32(sector + 12, w.next);
    if (hdr_size == TLS_HDR_SIZE_19_6) {
        wr32(sector + TLS_CRC_OFFSET, 0xFFFFFFFFu); /* as Microchip's tools leave it */
    }
    return TLS_OK;
}
