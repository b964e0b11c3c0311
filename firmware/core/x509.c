#include "x509.h"
#include <string.h>
#include "der.h"
#include "sha1.h"

static const uint8_t OID_RSA[] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
static const uint8_t OID_EC[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
static const uint8_t OID_P256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};

static int oid_is(const der_t *e, const uint8_t *oid, size_t n)
{
    return e->tag == 0x06 && e->len == n && memcmp(e->val, oid, n) == 0;
}

int x509_name_sha1(const uint8_t *name, size_t len, uint8_t out[20])
{
    sha1_ctx c;
    sha1_init(&c);
    const uint8_t *p = name, *end = name + len;
    while (p < end) {
        der_t set, atv, oid, val;
        if (der_next(&p, end, &set) != 0) {
            return -1;
        }
        if (set.tag != 0x31) {
            break;
        }
        const uint8_t *q = set.val, *qe = set.val + set.len;
        if (der_expect(&q, qe, 0x30, &atv) != 0) {
            return -1;
        }
        if (q != qe) {
            return -1; /* multi-valued RDN: the WINC parser goes out of sync */
        }
        const uint8_t *r = atv.val, *re = atv.val + atv.len;
        if (der_expect(&r, re, 0x06, &oid) != 0 || der_next(&r, re, &val) != 0) {
            return -1;
        }
        sha1_update(&c, val.val, val.len & 0xFFu);
    }
    sha1_final(&c, out);
    return 0;
}

static int digits(const uint8_t *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int parse_time(const der_t *e, x509_time_t *t)
{
    const uint8_t *s = e->val;
    int year;
    if (e->tag == 0x17 && e->len == 13 && s[12] == 'Z') {
        year = digits(s, 2);
        if (year < 0) {
            return -1;
        }
        year += year < 50 ? 2000 : 1900;
        s += 2;
    } else if (e->tag == 0x18 && e->len == 15 && s[14] == 'Z') {
        year = digits(s, 4);
        if (year < 0) {
            return -1;
        }
        s += 4;
    } else {
        return -1;
    }
    int mon = digits(s, 2), day = digits(s + 2, 2), hour = digits(s + 4, 2), min = digits(s + 6, 2),
        sec = digits(s + 8, 2);
    if (mon < 0 || day < 0 || hour < 0 || min < 0 || sec < 0) {
        return -1;
    }
    t->year = (uint16_t)year;
    t->mon = (uint8_t)mon;
    t->day = (uint8_t)day;
    t->hour = (uint8_t)hour;
    t->min = (uint8_t)min;
    t->sec = (uint8_t)sec;
    return 0;
}

static void strip_zeros(const uint8_t **p, size_t *n)
{
    while (*n > 0 && **p == 0) {
        (*p)++;
        (*n)--;
    }
}

static x509_err_t parse_spki(const der_t *spki, x509_t *out)
{
    const uint8_t *p = spki->val, *end = spki->val + spki->len;
    der_t alg, oid, params, bits;
    if (der_expect(&p, end, 0x30, &alg) != 0 || der_expect(&p, end, 0x03, &bits) != 0 || bits.len < 1) {
        return X509_ERR_FORMAT;
    }
    const uint8_t *a = alg.val, *ae = alg.val + alg.len;
    if (der_expect(&a, ae, 0x06, &oid) != 0) {
        return X509_ERR_FORMAT;
    }
    const uint8_t *k = bits.val + 1, *ke = bits.val + bits.len;
    if (oid_is(&oid, OID_RSA, sizeof OID_RSA)) {
        der_t seq, n, e;
        if (der_expect(&k, ke, 0x30, &seq) != 0) {
            return X509_ERR_FORMAT;
        }
        const uint8_t *s = seq.val, *se = seq.val + seq.len;
        if (der_expect(&s, se, 0x02, &n) != 0 || der_expect(&s, se, 0x02, &e) != 0) {
            return X509_ERR_FORMAT;
        }
        out->key_type = X509_KEY_RSA;
        out->rsa_n = n.val;
        out->rsa_n_len = n.len;
        strip_zeros(&out->rsa_n, &out->rsa_n_len);
        out->rsa_e = e.val;
        out->rsa_e_len = e.len;
        strip_zeros(&out->rsa_e, &out->rsa_e_len);
        if (out->rsa_n_len == 0 || out->rsa_n_len > 512 || out->rsa_e_len == 0 || out->rsa_e_len > 16) {
            return X509_ERR_KEY;
        }
        return X509_OK;
    }
    if (oid_is(&oid, OID_EC, sizeof OID_EC)) {
        if (der_next(&a, ae, &params) != 0 || !oid_is(&params, OID_P256, sizeof OID_P256)) {
            return X509_ERR_KEY; /* only named curve P-256 is usable on the WINC */
        }
        if ((size_t)(ke - k) != 65 || k[0] != 0x04) {
            return X509_ERR_KEY; /* uncompressed point only */
        }
        out->key_type = X509_KEY_EC;
        out->ec_curve = X509_CURVE_P256;
        out->ec_coord_len = 32;
        out->ec_x = k + 1;
        out->ec_y = k + 33;
        return X509_OK;
    }
    return X509_ERR_KEY;
}

x509_err_t x509_parse(const uint8_t *der, size_t len, x509_t *out)
{
    memset(out, 0, sizeof *out);
    const uint8_t *p = der, *end = der + len;
    der_t cert, tbs, e, issuer, validity, subject, spki, nb, na;
    if (der_expect(&p, end, 0x30, &cert) != 0) {
        return X509_ERR_FORMAT;
    }
    out->der = der;
    out->der_len = cert.tlv_len;
    const uint8_t *c = cert.val, *ce = cert.val + cert.len;
    if (der_expect(&c, ce, 0x30, &tbs) != 0) {
        return X509_ERR_FORMAT;
    }
    const uint8_t *t = tbs.val, *te = tbs.val + tbs.len;
    if (der_next(&t, te, &e) != 0) {
        return X509_ERR_FORMAT;
    }
    if (e.tag == 0xA0 && der_next(&t, te, &e) != 0) {
        return X509_ERR_FORMAT;
    }
    if (e.tag != 0x02) {
        return X509_ERR_FORMAT;
    }
    out->serial = e.val;
    out->serial_len = e.len;
    if (der_expect(&t, te, 0x30, &e) != 0 ||          /* signature algorithm */
        der_expect(&t, te, 0x30, &issuer) != 0 || der_expect(&t, te, 0x30, &validity) != 0 ||
        der_expect(&t, te, 0x30, &subject) != 0 || der_expect(&t, te, 0x30, &spki) != 0) {
        return X509_ERR_FORMAT;
    }
    const uint8_t *v = validity.val, *ve = validity.val + validity.len;
    if (der_next(&v, ve, &nb) != 0 || der_next(&v, ve, &na) != 0) {
        return X509_ERR_FORMAT;
    }
    if (parse_time(&nb, &out->not_before) != 0 || parse_time(&na, &out->not_after) != 0) {
        return X509_ERR_TIME;
    }
    out->subject = subject.val;
    out->subject_len = subject.len;
    if (x509_name_sha1(subject.val, subject.len, out->subject_sha1) != 0 ||
        x509_name_sha1(issuer.val, issuer.len, out->issuer_sha1) != 0) {
        return X509_ERR_NAME;
    }
    return parse_spki(&spki, out);
}

int x509_subject_cn(const x509_t *c, const uint8_t **cn, size_t *cn_len)
{
    static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};
    const uint8_t *p = c->subject, *end = c->subject + c->subject_len;
    while (p < end) {
        der_t set, atv, oid, val;
        if (der_expect(&p, end, 0x31, &set) != 0) {
            return -1;
        }
        const uint8_t *q = set.val, *qe = set.val + set.len;
        while (q < qe) {
            if (der_expect(&q, qe, 0x30, &atv) != 0) {
                return -1;
            }
            const uint8_t *r = atv.val, *re = atv.val + atv.len;
            if (der_expect(&r, re, 0x06, &oid) != 0 || der_next(&r, re, &val) != 0) {
                return -1;
            }
            if (oid_is(&oid, OID_CN, sizeof OID_CN)) {
                *cn = val.val;
                *cn_len = val.len;
                return 0;
            }
        }
    }
    return -1;
}
