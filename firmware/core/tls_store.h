/* WINC1500 TLS server ("local certificate") store, 8 KiB at 0x5000
 * (winc-cert-store.md section 3). */
#ifndef TLS_STORE_H
#define TLS_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "winc_flash_layout.h"

typedef enum {
    TLS_OK = 0,
    TLS_ERR_CERT = -1,          /* a certificate cannot be parsed */
    TLS_ERR_KEY = -2,           /* key missing/unparseable (RSA leaf) */
    TLS_ERR_KEY_MISMATCH = -3,  /* key N differs from the leaf certificate N */
    TLS_ERR_FULL = -4,          /* more than 8 files or past WINC_TLS_STORE_CAPACITY */
    TLS_ERR_FORMAT = -5,        /* append to a section that is not a TLS store */
} tls_result_t;

typedef struct {
    const uint8_t *der;
    size_t len;
} tls_cert_in_t;

/* Write a server chain into the first WINC_TLS_STORE_CAPACITY bytes of sector; its last
 * WINC_TLS_KEPT_TAIL bytes are left as they are (load the section from flash first). certs[0] is the leaf; the others are re-ordered leaf->root
 * by issuer and unrelated ones dropped. key (PEM or DER, PKCS#1/PKCS#8) is required
 * for an RSA leaf and ignored for an ECDSA leaf. append=false starts a fresh store.
 * hdr_size is TLS_HDR_SIZE_19_6 (468) or TLS_HDR_SIZE_19_5 (464). For a PEM key, scratch
 * must hold its DER (>= 2600 bytes for RSA-4096); a DER key needs no scratch (NULL). */
tls_result_t tls_store_write_chain(uint8_t sector[WINC_TLS_STORE_SIZE], const tls_cert_in_t *certs, int ncerts,
                                   const uint8_t *key, size_t key_len, unsigned hdr_size, bool append,
                                   uint8_t *scratch, size_t scratch_len);
/* Number of files in a valid store, 0 if erased, -1 otherwise. */
int tls_store_count(const uint8_t sector[WINC_TLS_STORE_SIZE]);
/* The file with this name (compared up to its NUL) inside the section; 0 = found. */
int tls_store_file(const uint8_t sector[WINC_TLS_STORE_SIZE], const char *name, const uint8_t **data, size_t *len);
#endif
