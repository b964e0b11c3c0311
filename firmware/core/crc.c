#include "crc.h"

uint8_t crc7(uint8_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (int b = 7; b >= 0; b--) {
            uint8_t in = (uint8_t)((p[i] >> b) & 1u);
            uint8_t top = (uint8_t)((crc >> 6) & 1u);
            crc = (uint8_t)((crc << 1) & 0x7Fu);
            if (in ^ top) {
                crc ^= 0x09u;
            }
        }
    }
    return crc;
}

uint16_t crc16_ccitt(uint16_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (int b = 0; b < 8; b++) {
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
        }
    }
    return crc;
}

uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
    }
    return ~crc;
}
