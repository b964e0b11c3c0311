/* What one job may carry: the one table of the board's size limits. The TypeScript side holds
 * the same table (src-main/board/protocol/board-limits.ts), the simulator enforces exactly these,
 * and a test compares both with what the host build reports (`winc-cert-fw-host --limits`).
 *
 * Downloads are streamed: nothing is buffered whole except what the stores keep. A root
 * certificate is read (PEM or DER, as DER) into the 4 KiB root-store buffer and reduced to its
 * root-store entry at once; TLS files are kept as DER, 4-byte aligned, until the TLS store is
 * built. So the only limits are what the stores hold, and one root certificate of 4 KiB DER. */
#ifndef BOARD_LIMITS_H
#define BOARD_LIMITS_H
#include "protocol_defs.h"
#include "winc_flash_layout.h"

#define LIMIT_JOB_ENTRIES        JOB_MAX_ENTRIES        /* SET_JOB entries */
#define LIMIT_CHAIN_CERTS        7u                     /* numOfChainCert of a TLS group */
#define LIMIT_REMOVE_ROOTS       JOB_MAX_REMOVE_ROOTS
#define LIMIT_FILE_NAME          64u                    /* bytes of a job file name */
#define LIMIT_ROOT_CERT_DER      WINC_ROOT_STORE_SIZE   /* one root certificate, as DER */
#define LIMIT_ROOT_ENTRY_BYTES   (WINC_ROOT_STORE_SIZE - ROOT_HDR_SIZE) /* the root entries a job adds */
#define LIMIT_TLS_STORE_BYTES    WINC_TLS_STORE_CAPACITY /* header + files of the TLS store */
#define LIMIT_TLS_FILE_BYTES     (WINC_TLS_STORE_CAPACITY - TLS_HDR_SIZE_19_6) /* a job's TLS files as DER, each 4-aligned */
#define LIMIT_TLS_FILES          TLS_MAX_FILES
#define LIMIT_RSA_BITS           4096u                  /* largest RSA key a certificate may carry */
#define LIMIT_ROOT_STORE_BYTES   WINC_ROOT_STORE_SIZE
#define LIMIT_TLS_SECTION_BYTES  WINC_TLS_STORE_SIZE
#define LIMIT_TLS_KEPT_TAIL      WINC_TLS_KEPT_TAIL
#define LIMIT_PROVE_BODY         PROVE_BODY_MAX
#endif
