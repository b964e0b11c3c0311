/* WINC1500 SPI-flash map and certificate-store constants: the one place these
 * numbers live (winc-cert-store.md 1.1, 2.2, 3.1; winc-host-driver.md 4.4). */
#ifndef WINC_FLASH_LAYOUT_H
#define WINC_FLASH_LAYOUT_H

#define WINC_FLASH_PAGE_SIZE     256u
#define WINC_FLASH_SECTOR_SIZE   4096u
#define WINC_FLASH_SIZE_4M       (512u * 1024u)   /* ATWINC1500 (4 Mbit) */

#define WINC_ROOT_STORE_OFFSET   0x4000u
#define WINC_ROOT_STORE_SIZE     4096u
#define WINC_TLS_STORE_OFFSET    0x5000u
#define WINC_TLS_STORE_SIZE      8192u
/* The TLS section's last two 256-byte pages are not the store's: Microchip's IoT boards keep the
 * AWS endpoint at 0x6E00 and the thing name at 0x6F00. Every TLS write keeps them byte for byte;
 * a store reaching into them is refused (docs/store-format-notes.md). */
#define WINC_TLS_KEPT_TAIL       512u
#define WINC_TLS_STORE_CAPACITY  (WINC_TLS_STORE_SIZE - WINC_TLS_KEPT_TAIL)

/* root store */
#define ROOT_HDR_SIZE            20u
#define ROOT_V1_ENTRY_HDR        44u
#define ROOT_KEY_RSA             1u
#define ROOT_KEY_ECDSA           2u
#define ROOT_PATTERN_V1 {0x11, 0xF1, 0x12, 0xF2, 0x13, 0xF3, 0x14, 0xF4, 0x15, 0xF5, 0x16, 0xF6, 0x17, 0xF7, 0x18, 0xF8}
#define ROOT_PATTERN_V0 {0x01, 0xF1, 0x02, 0xF2, 0x03, 0xF3, 0x04, 0xF4, 0x05, 0xF5, 0x06, 0xF6, 0x07, 0xF7, 0x08, 0xF8}
#define ROOT_TIME_PAD            0x00u   /* don't-care byte; pywinc's choice */

/* TLS server store */
#define TLS_PATTERN {0xAB, 0xFE, 0x18, 0x5B, 0x70, 0xC3, 0x46, 0x92}
#define TLS_MAX_FILES            8u
#define TLS_FILE_NAME_MAX        48u
#define TLS_FILE_ENTRY_SIZE      56u
#define TLS_HDR_SIZE_19_6        468u    /* with CRC field at 0x1D0 */
#define TLS_HDR_SIZE_19_5        464u
#define TLS_CRC_OFFSET           0x1D0u
#define TLS_PRIV_HDR_SIZE        52u     /* 32-bit tstrRsaPrivateKey image */
#define TLS_PRIV_PTR_BASE        0x008083C0u /* B in "pointer = B + offset": the value seen in the 19.6.1 image; same as the app (src-main/store/priv-key-file.ts) */

#define WA4(x) (((x) + 3u) & ~3u)

#endif
