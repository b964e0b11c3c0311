/* WINC1500 SPI transport: registers and DMA blocks over hal_winc_spi_xfer. */
#ifndef WINC_SPI_H
#define WINC_SPI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#define WINC_SPI_MAX_BLOCK 2048u   /* per DMA command; below the 8 KB packet size */
int winc_spi_init(void);                   /* CRC-off handshake; 0 = ok */
int winc_reg_read(uint32_t addr, uint32_t *val);
int winc_reg_write(uint32_t addr, uint32_t val);
void winc_reg_write_noresp(uint32_t addr, uint32_t val);  /* global reset: no response */
int winc_block_read(uint32_t addr, uint8_t *buf, size_t n);
int winc_block_write(uint32_t addr, const uint8_t *buf, size_t n);
bool winc_spi_crc_on(void);
void winc_spi_assume_crc(bool on);
#endif
