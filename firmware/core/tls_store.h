/* WINC1500 TLS server ("local certificate") store, 8 KiB at 0x5000
 * (winc-cert-store.md section 3). The store is planned as a layout (names, sizes, addresses)
 * over the caller's certificate and key bytes, then read out byte range by byte range: the job
 * writes and verifies it page by page without an 8 KiB image in RAM. */
#ifndef TLS_STORE_H
#define TLS_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rsa_key.h"
#include "winc_flash_layout.h"

typedef enum {
    TLS_OK = 0,
    TLS_ERR_CERT = -1,          /* a certificate cannot be parsed */
    TLS_ERR_KEY = -2,           /* key missing/unparseable (RSA leaf) */
    TLS_ERR_KEY_MISMATCH = -3,  /* key N differs from the leaf certificate N */
    TLS_ERR_FULL = -4,          /* more than 8 files or past WINC_TLS_STORE_CAPACITY */
} tls_result_t;

typedef struct {
    const uint8_t *der;
    size_t len;
} tls_cert_in_t;

enum { TLS_FILE_CERT = 1, TLS_FILE_PRIV = 2, TLS_FILE_LIST = 3 };

typedef struct {
    uint8_t kind;              /* TLS_FILE_* */
    uint8_t cert;              /* TLS_FILE_CERT: index into chain[] */
    uint32_t size;
    uint32_t rel;              /* offset within the section */
    const uint8_t *name;       /* the 48-byte name field */
} tls_file_t;

typedef struct {
    unsigned hdr_size;
    bool rsa;
    uint8_t nchain, nfiles;
    tls_cert_in_t chain[8];    /* leaf first, then issuers */
    uint8_t names[8][TLS_FILE_NAME_MAX]; /* CERT_ name fields, one reused buffer as Microchip's tool */
    uint8_t privname[TLS_FILE_NAME_MAX];
    uint8_t listname[TLS_FILE_NAME_MAX];
    tls_file_t f[TLS_MAX_FILES];
    rsa_key_t key;
    uint32_t next;             /* offset just past the last file, 4-byte aligned */
} tls_layout_t;

/* Plans a fresh store for one server chain. certs[0] is the leaf; the others are re-ordered
 * leaf->root by issuer and unrelated ones dropped. key_der (PKCS#1/PKCS#8 DER) is required for an
 * RSA leaf and ignored for an ECDSA leaf. hdr_size is TLS_HDR_SIZE_19_6 or _19_5. The layout
 * points into certs' and the key's bytes: keep them while reading. */
tls_result_t tls_layout_chain(tls_layout_t *L, const tls_cert_in_t *certs, int ncerts, const uint8_t *key_der,
                              size_t key_len, unsigned hdr_size);
/* Bytes [off, off+n) of the store area [0, WINC_TLS_STORE_CAPACITY); 0xFF outside header and files. */
void tls_layout_read(const tls_layout_t *L, uint32_t off, uint8_t *out, size_t n);

/* A fresh store image in the first WINC_TLS_STORE_CAPACITY bytes of sector; its last
 * WINC_TLS_KEPT_TAIL bytes are left as they are (load the section from flash first). key may be PEM
 * (then scratch must hold its DER, >= 2600 bytes for RSA-4096) or DER. */
tls_result_t tls_store_write_chain(uint8_t sector[WINC_TLS_STORE_SIZE], const tls_cert_in_t *certs, int ncerts,
                                   const uint8_t *key, size_t key_len, unsigned hdr_size, uint8_t *scratch,
                                   size_t scratch_len);
/* Number of files in a valid store, 0 if erased, -1 otherwise. */
int tls_store_count(const uint8_t sector[WINC_TLS_STORE_SIZE]);
/* The file with this name (compared up to its NUL) inside the section; 0 = found. */
int tls_store_file(const uint8_t sector[WINC_TLS_STORE_SIZE], const char *name, const uint8_t **data, size_t *len);
#endif
