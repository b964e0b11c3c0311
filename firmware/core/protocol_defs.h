/* App <-> board serial protocol v1 constants (docs/serial-protocol.md). The one
 * place these numbers live on the firmware side. */
#ifndef PROTOCOL_DEFS_H
#define PROTOCOL_DEFS_H

#define PROTO_VERSION          1u
#define PROTO_REVISION         1u   /* docs/serial-protocol.md revision 1.1 */
#define PROTO_HDR_SIZE         7u
#define PROTO_CRC_SIZE         2u
#define PROTO_OVERHEAD         (PROTO_HDR_SIZE + PROTO_CRC_SIZE)
#define PROTO_PRE_HELLO_MAX    256u
#define PROTO_MIN_LIMIT        256u
#define PROTO_MAX_LIMIT        8192u
#if defined(FW_TARGET_HOST)
#define PROTO_BOARD_MAX_PAYLOAD 4096u   /* host build: like the simulated board */
#else
#define PROTO_BOARD_MAX_PAYLOAD 1028u   /* WRITE_FLASH of 1024 data bytes + address */
#endif
#define PROTO_COBS_MAX(n)      ((n) + ((n) + 253u) / 254u + 1u)

#define PROTO_FLAG_ERROR       0x01u
#define PROTO_FLAG_RETRANSMIT  0x02u
#define PROTO_RESPONSE_BIT     0x80u

/* requests */
#define REQ_HELLO              0x01u
#define REQ_PING               0x02u
#define REQ_GET_STATS          0x03u
#define REQ_GET_WINC_INFO      0x04u   /* 1.1 */
#define REQ_CONFIGURE_WIFI     0x10u
#define REQ_CONFIGURE_SERVER   0x11u
#define REQ_SET_JOB            0x12u
#define REQ_RUN_JOB            0x13u
#define REQ_PROVE_IDENTITY     0x14u   /* 1.1 */
#define REQ_READ_FLASH         0x20u
#define REQ_WRITE_FLASH        0x21u
#define REQ_ERASE_FLASH        0x22u
#define REQ_ERASE_ROOT_STORE   0x23u
#define REQ_ERASE_TLS_STORE    0x24u
#define REQ_REINIT_WINC        0x25u
#define REQ_CANCEL             0x3Fu

/* events */
#define EVT_LOG                0x40u
#define EVT_PROGRESS           0x41u
#define EVT_STATE              0x42u
#define EVT_ERROR              0x43u
#define EVT_WIFI_CONNECTED     0x50u
#define EVT_DOWNLOAD_STARTED   0x51u
#define EVT_FILE_PACKET        0x52u
#define EVT_FILE_DOWNLOADED    0x53u
#define EVT_CERTIFICATE_FOUND  0x54u
#define EVT_WINC_DOWNLOAD_MODE 0x55u
#define EVT_SECTION_VERIFIED   0x56u
#define EVT_ROOT_CERT_WRITTEN  0x57u
#define EVT_TLS_STORE_WRITTEN  0x58u
#define EVT_WINC_READY         0x59u

/* HELLO */
#define BOARD_KIND_UNKNOWN     0u
#define BOARD_KIND_XPRO        1u
#define BOARD_KIND_MKR1000     2u
#define BOARD_KIND_FEATHER     3u
#define CAP_SIMULATED          (1u << 0)
#define CAP_HOST_BUILD         (1u << 1)
#define CAP_JOB_RUNNER         (1u << 2)
#define CAP_FLASH_ACCESS       (1u << 3)
#define CAP_CANCEL             (1u << 4)
#define CAP_WINC_INFO          (1u << 5)   /* 1.1: GET_WINC_INFO */
#define CAP_REMOVE_ROOTS       (1u << 6)   /* 1.1: SET_JOB flag REMOVE_ROOTS */
#define CAP_PROVE_IDENTITY     (1u << 7)   /* 1.1: PROVE_IDENTITY */
#define CAP_KEEP_ALIVE         (1u << 8)   /* 1.1: one TLS connection per job */

/* HELLO status byte (1.1) */
#define HELLO_STATUS_WINC_STARTING      (1u << 0)
#define HELLO_STATUS_CLOCK_UNLOCKED     (1u << 1)
#define HELLO_STATUS_WINC_DOWNLOAD_MODE (1u << 2)

/* error codes (section 6) */
enum {
    ERR_UNKNOWN_REQUEST = 1, ERR_BAD_PAYLOAD = 2, ERR_PAYLOAD_TOO_LARGE = 3, ERR_UNSUPPORTED_VERSION = 4,
    ERR_BUSY = 5, ERR_CANCELLED = 6, ERR_NOT_CONFIGURED = 7, ERR_INVALID_JOB = 8,
    ERR_ADDRESS_OUT_OF_RANGE = 9, ERR_ADDRESS_NOT_ALLOWED = 10, ERR_ALIGNMENT = 11,
    ERR_WINC_NOT_RESPONDING = 12, ERR_DOWNLOAD_MODE_FAILED = 13, ERR_ERASE_FAILED = 14,
    ERR_WRITE_FAILED = 15, ERR_VERIFY_FAILED = 16, ERR_READ_FAILED = 17, ERR_WIFI_CONNECT_FAILED = 18,
    ERR_DNS_FAILED = 19, ERR_TLS_CONNECT_FAILED = 20, ERR_CERT_VERIFICATION_FAILED = 21,
    ERR_HTTP_STATUS = 22, ERR_DOWNLOAD_FAILED = 23, ERR_FILE_TOO_LARGE = 24, ERR_CERT_PARSE_FAILED = 25,
    ERR_STORE_FULL = 26, ERR_UNSUPPORTED_KEY = 27, ERR_INTERNAL = 28, ERR_TIMEOUT = 29,
};

/* phases (7.1) */
enum {
    PHASE_NONE = 0, PHASE_SESSION = 1, PHASE_WIFI_CONNECT = 2, PHASE_DOWNLOAD = 3,
    PHASE_ENTER_DOWNLOAD_MODE = 4, PHASE_ERASE = 5, PHASE_WRITE = 6, PHASE_VERIFY = 7,
    PHASE_REINIT = 8, PHASE_READ = 9, PHASE_CONFIGURE = 10, PHASE_PROVE = 11,
};

/* board states (7.2) */
enum { STATE_IDLE = 0, STATE_RUNNING = 1, STATE_SUCCEEDED = 2, STATE_FAILED = 3, STATE_CANCELLED = 4 };

/* SET_JOB cert types */
#define CERT_TYPE_ROOT         1u
#define CERT_TYPE_TLS_RSA      2u
#define CERT_TYPE_TLS_ECC      3u
#define JOB_MAX_ENTRIES        16u
#define JOB_FLAG_REPLACE_ROOT  0x01u
#define JOB_FLAG_REMOVE_ROOTS  0x02u   /* 1.1 */
#define JOB_MAX_REMOVE_ROOTS   8u
#define ROOT_NAME_HASH_SIZE    20u

/* PROVE_IDENTITY (1.1) */
#define PROVE_FLAG_BYPASS_SERVER_VERIFICATION 0x01u
#define PROVE_FLAG_VALIDATE_SERVER_NAME       0x02u
#define PROVE_PATH_MAX         63u
#define PROVE_BODY_MAX         255u

/* flash access window for writes/erases */
#define PROTO_WRITE_WINDOW_START 0x4000u
#define PROTO_WRITE_WINDOW_END   0x7000u

#endif
