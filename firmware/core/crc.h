/* Checksums: CRC7 (WINC SPI commands), CRC-16/CCITT-FALSE (WINC SPI data),
 * CRC-32/ISO-HDLC (TLS store header field, app protocol where stated). */
#ifndef CRC_H
#define CRC_H
#include <stddef.h>
#include <stdint.h>
/* poly x^7+x^3+1, init 0x7F, MSB first; returns the 7-bit value */
uint8_t crc7(uint8_t crc, const uint8_t *p, size_t n);
/* poly 0x1021, caller passes init (0xFFFF for CCITT-FALSE), MSB first, no final xor */
uint16_t crc16_ccitt(uint16_t crc, const uint8_t *p, size_t n);
/* reflected 0xEDB88320; crc32_update(0, ...) starts a new CRC; chainable */
uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n);
#endif
