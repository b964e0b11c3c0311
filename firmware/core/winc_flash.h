/* WINC SPI-flash access in download mode (winc-host-driver.md 4.2-4.4). */
#ifndef WINC_FLASH_H
#define WINC_FLASH_H
#include <stddef.h>
#include <stdint.h>
/* spi_flash_enable(1) of winc-host-driver.md 4.4: flash pins to the flash function, release from
 * deep power-down (0xAB), pins back. A sketch that called WiFi.end() leaves the flash asleep
 * (0xB9); asleep, it answers nothing (JEDEC reads 0 or 0xFFFFFFFF). */
int wflash_wake(void);
int wflash_jedec(uint32_t *id);
uint32_t wflash_size_from_jedec(uint32_t id);
int wflash_read(uint32_t off, uint8_t *buf, size_t n);
int wflash_erase(uint32_t off, size_t n);          /* whole 4 KiB sectors covering [off, off+n) */
int wflash_write(uint32_t off, const uint8_t *buf, size_t n);  /* region must be erased */
#endif
