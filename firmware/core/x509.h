/* The parts of an X.509 certificate the WINC stores keep (winc-cert-store.md 2.3-2.6, 3.3). */
#ifndef X509_H
#define X509_H
#include <stddef.h>
#include <stdint.h>

enum { X509_KEY_RSA = 1, X509_KEY_EC = 2 };
#define X509_CURVE_P256 23u

typedef struct {
    uint16_t year;
    uint8_t mon, day, hour, min, sec;
} x509_time_t;

typedef struct x509_s {
    const uint8_t *der;
    size_t der_len;
    const uint8_t *subject;    /* Name content octets */
    size_t subject_len;
    const uint8_t *serial;     /* serialNumber content octets (incl. a leading 0x00) */
    size_t serial_len;
    uint8_t subject_sha1[20];  /* Microchip name hash of the subject */
    uint8_t issuer_sha1[20];
    x509_time_t not_before, not_after;
    uint32_t key_type;
    const uint8_t *rsa_n;      /* leading zeros stripped */
    size_t rsa_n_len;
    const uint8_t *rsa_e;
    size_t rsa_e_len;
    uint16_t ec_curve;         /* TLS NamedCurve id */
    const uint8_t *ec_x;       /* 32 bytes each for P-256 */
    const uint8_t *ec_y;
    uint16_t ec_coord_len;
} x509_t;

typedef enum {
    X509_OK = 0,
    X509_ERR_FORMAT = -1,
    X509_ERR_NAME = -2,       /* multi-valued RDN or malformed Name */
    X509_ERR_TIME = -3,       /* time not in YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ form */
    X509_ERR_KEY = -4,        /* key type or curve the WINC cannot store */
} x509_err_t;

x509_err_t x509_parse(const uint8_t *der, size_t len, x509_t *out);
/* commonName (first 2.5.4.3 value) of the subject; 0 = found */
int x509_subject_cn(const x509_t *c, const uint8_t **cn, size_t *cn_len);
/* Name hash as the WINC computes it; name = the Name TLV content. */
int x509_name_sha1(const uint8_t *name, size_t len, uint8_t out[20]);
#endif
