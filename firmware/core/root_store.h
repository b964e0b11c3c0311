/* WINC1500 V1 root-certificate store (4 KiB sector at 0x4000): decode, merge, encode. */
#ifndef ROOT_STORE_H
#define ROOT_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "winc_flash_layout.h"

typedef enum {
    ROOT_OK = 0,          /* added */
    ROOT_REPLACED = 1,    /* same name hash, different entry: replaced and repacked */
    ROOT_UNCHANGED = 2,   /* identical entry already stored */
    ROOT_ERR_FULL = -1,   /* does not fit in 4096 bytes: nothing changed */
    ROOT_ERR_CERT = -2,   /* certificate cannot be parsed or stored (curve, time, name) */
    ROOT_ERR_FORMAT = -3, /* the sector is not an erased or V1 store */
} root_result_t;

/* Walk a sector: returns the entry count, or -1 if it is neither erased nor a
 * consistent V1 store. An erased sector has 0 entries. */
int root_store_count(const uint8_t sector[WINC_ROOT_STORE_SIZE]);
/* Entry i: offset and size inside the sector (Microchip size rule). */
int root_store_entry(const uint8_t sector[WINC_ROOT_STORE_SIZE], int i, size_t *off, size_t *size);
/* Make an empty V1 store (pattern, count 0, rest 0xFF). */
void root_store_init(uint8_t sector[WINC_ROOT_STORE_SIZE]);
/* Add a DER root certificate with the merge rules. The sector is only changed on success. */
root_result_t root_store_add(uint8_t sector[WINC_ROOT_STORE_SIZE], const uint8_t *der, size_t der_len);
/* The largest V1 entry: RSA-4096 with a 16-byte exponent. */
#define ROOT_ENTRY_MAX (ROOT_V1_ENTRY_HDR + 512u + 16u)
/* A certificate's V1 entry (Microchip size rule); its size, or 0 if it does not fit room. */
struct x509_s;
size_t root_entry_build(const struct x509_s *c, uint8_t *entry, size_t room);
/* Add a built entry with the merge rules (same hash: replaced and repacked; identical: unchanged). */
root_result_t root_store_add_entry(uint8_t sector[WINC_ROOT_STORE_SIZE], const uint8_t *entry, size_t size);
/* Is a root with this subject-name hash stored? */
int root_store_find(const uint8_t sector[WINC_ROOT_STORE_SIZE], const uint8_t sha1[20]);
/* Removes the root with this subject-name hash and repacks: 1 removed, 0 absent, -1 not a V1 store. */
int root_store_remove(uint8_t sector[WINC_ROOT_STORE_SIZE], const uint8_t sha1[20]);
#endif
