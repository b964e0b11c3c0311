/* Root store per winc-cert-store.md section 2 (V1, 19.5+). Entries are packed by
 * the Microchip size rule 44 + WA(N) + WA(E) (RSA) or 44 + 2*WA(coord) (ECDSA).
 * Merge rules: an identical entry is not stored twice; an entry with the same
 * name hash is replaced and the store repacked (no in-place overwrite bug). */
#include "root_store.h"
#include <string.h>
#include "x509.h"

static const uint8_t k_v1[16] = ROOT_PATTERN_V1;

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

static int erased(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xFF) {
            return 0;
        }
    }
    return 1;
}

static size_t entry_size_at(const uint8_t *e, size_t room)
{
    if (room < ROOT_V1_ENTRY_HDR) {
        return 0;
    }
    uint32_t type = rd32(e + 36);
    size_t a = rd16(e + 40), b = rd16(e + 42);
    size_t sz;
    if (type == ROOT_KEY_RSA) {
        sz = ROOT_V1_ENTRY_HDR + WA4(a) + WA4(b);
    } else if (type == ROOT_KEY_ECDSA) {
        sz = ROOT_V1_ENTRY_HDR + 2u * WA4(b);
    } else {
        return 0;
    }
    return sz <= room ? sz : 0;
}

int root_store_entry(const uint8_t sector[WINC_ROOT_STORE_SIZE], int i, size_t *off, size_t *size)
{
    size_t o = ROOT_HDR_SIZE;
    for (int k = 0;; k++) {
        size_t s = entry_size_at(sector + o, WINC_ROOT_STORE_SIZE - o);
        if (s == 0) {
            return -1;
        }
        if (k == i) {
            *off = o;
            *size = s;
            return 0;
        }
        o += s;
    }
}

int root_store_count(const uint8_t sector[WINC_ROOT_STORE_SIZE])
{
    if (erased(sector, 16)) {
        return 0;
    }
    if (memcmp(sector, k_v1, 16) != 0) {
        return -1;
    }
    uint32_t n = rd32(sector + 16);
    if (n > (WINC_ROOT_STORE_SIZE - ROOT_HDR_SIZE) / ROOT_V1_ENTRY_HDR) {
        return -1;
    }
    size_t off, size;
    if (n > 0 && root_store_entry(sector, (int)n - 1, &off, &size) != 0) {
        return -1;
    }
    return (int)n;
}

void root_store_init(uint8_t sector[WINC_ROOT_STORE_SIZE])
{
    memset(sector, 0xFF, WINC_ROOT_STORE_SIZE);
    memcpy(sector, k_v1, 16);
    wr32(sector + 16, 0);
}

static void put_time(uint8_t *p, const x509_time_t *t)
{
    wr16(p, t->year);
    p[2] = t->mon;
    p[3] = t->day;
    p[4] = t->hour;
    p[5] = t->min;
    p[6] = t->sec;
    p[7] = ROOT_TIME_PAD;
}

size_t root_entry_build(const x509_t *c, uint8_t *e, size_t room)
{
    size_t size;
    if (c->key_type == X509_KEY_RSA) {
        size = ROOT_V1_ENTRY_HDR + WA4(c->rsa_n_len) + WA4(c->rsa_e_len);
    } else {
        size = ROOT_V1_ENTRY_HDR + 2u * WA4(c->ec_coord_len);
    }
    if (size > room) {
        return 0;
    }
    memset(e, 0xFF, size);
    memcpy(e, c->subject_sha1, 20);
    put_time(e + 20, &c->not_before);
    put_time(e + 28, &c->not_after);
    if (c->key_type == X509_KEY_RSA) {
        wr32(e + 36, ROOT_KEY_RSA);
        wr16(e + 40, (uint16_t)c->rsa_n_len);
        wr16(e + 42, (uint16_t)c->rsa_e_len);
        memcpy(e + 44, c->rsa_n, c->rsa_n_len);
        memcpy(e + 44 + c->rsa_n_len, c->rsa_e, c->rsa_e_len);
    } else {
        wr32(e + 36, ROOT_KEY_ECDSA);
        wr16(e + 40, c->ec_curve);
        wr16(e + 42, c->ec_coord_len);
        memcpy(e + 44, c->ec_x, c->ec_coord_len);
        memcpy(e + 44 + c->ec_coord_len, c->ec_y, c->ec_coord_len);
    }
    return size;
}

/* equal apart from the two don't-care time pad bytes */
static int same_entry(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i == 27 || i == 35) {
            continue;
        }
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

int root_store_find(const uint8_t sector[WINC_ROOT_STORE_SIZE], const uint8_t sha1[20])
{
    int n = root_store_count(sector);
    for (int i = 0; i < n; i++) {
        size_t off, size;
        if (root_store_entry(sector, i, &off, &size) == 0 && memcmp(sector + off, sha1, 20) == 0) {
            return i;
        }
    }
    return -1;
}

root_result_t root_store_add(uint8_t sector[WINC_ROOT_STORE_SIZE], const uint8_t *der, size_t der_len)
{
    x509_t c;
    uint8_t entry[ROOT_ENTRY_MAX];
    if (x509_parse(der, der_len, &c) != X509_OK) {
        return ROOT_ERR_CERT;
    }
    size_t es = root_entry_build(&c, entry, sizeof entry);
    if (es == 0) {
        return ROOT_ERR_CERT;
    }
    return root_store_add_entry(sector, entry, es);
}

root_result_t root_store_add_entry(uint8_t sector[WINC_ROOT_STORE_SIZE], const uint8_t *entry, size_t es)
{
    int n = root_store_count(sector);
    if (n < 0) {
        return ROOT_ERR_FORMAT;
    }
    size_t end = ROOT_HDR_SIZE, off = 0, size = 0;
    if (n > 0) {
        size_t lo, ls;
        (void)root_store_entry(sector, n - 1, &lo, &ls);
        end = lo + ls;
    }
    int idx = root_store_find(sector, entry); /* the entry starts with its name hash */
    if (idx >= 0) {
        (void)root_store_entry(sector, idx, &off, &size);
        if (size == es && same_entry(sector + off, entry, es)) {
            return ROOT_UNCHANGED;
        }
        size_t new_end = end - size + es;
        if (new_end > WINC_ROOT_STORE_SIZE) {
            return ROOT_ERR_FULL;
        }
        memmove(sector + off + es, sector + off + size, end - (off + size));
        memcpy(sector + off, entry, es);
        if (new_end < end) {
            memset(sector + new_end, 0xFF, end - new_end);
        }
        return ROOT_REPLACED;
    }
    if (end + es > WINC_ROOT_STORE_SIZE) {
        return ROOT_ERR_FULL;
    }
    if (n == 0) {
        root_store_init(sector);
    }
    memcpy(sector + end, entry, es);
    wr32(sector + 16, (uint32_t)n + 1u);
    return ROOT_OK;
}

int root_store_remove(uint8_t sector[WINC_ROOT_STORE_SIZE], const uint8_t sha1[20])
{
    int n = root_store_count(sector);
    if (n < 0) {
        return -1;
    }
    int idx = root_store_find(sector, sha1);
    if (idx < 0) {
        return 0;
    }
    size_t off, size, lo, ls;
    (void)root_store_entry(sector, idx, &off, &size);
    (void)root_store_entry(sector, n - 1, &lo, &ls);
    size_t end = lo + ls;
    memmove(sector + off, sector + off + size, end - (off + size));
    memset(sector + end - size, 0xFF, size);
    wr32(sector + 16, (uint32_t)n - 1u);
    return 1;
}
