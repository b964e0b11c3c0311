/*
 * Hardware abstraction used by the board-independent core.
 * Implemented by arch/samd21/ (real boards) and host/ (Linux build with a WINC model).
 */
#ifndef HAL_H
#define HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* time */
uint32_t hal_millis(void);
void hal_delay_ms(uint32_t ms);

/* WINC control lines (true = high level on the pin) */
void hal_winc_reset_pin(bool high);
void hal_winc_chip_en_pin(bool high);
void hal_winc_wake_pin(bool high);

/* WINC SPI byte transport. cs true = select (SSN low). tx may be NULL (send 0x00),
 * rx may be NULL (discard). */
void hal_winc_cs(bool select);
void hal_winc_spi_xfer(const uint8_t *tx, uint8_t *rx, size_t n);

/* WINC IRQN: returns true (and clears the latch) if a falling edge was seen. */
bool hal_winc_irq_take(void);
/* Current level of IRQN (true = high = idle). */
bool hal_winc_irq_level(void);

/* Serial link to the app (UART, USB CDC or pty). Non-blocking read; write queues
 * (blocks only while the output queue is full). */
size_t hal_serial_read(uint8_t *buf, size_t max);
void hal_serial_write(const uint8_t *buf, size_t n);

/* Called from every wait loop: services USB/pty, 1200-baud touch, LEDs. */
void hal_poll(void);

/* false when the board runs on a fallback clock: the 48 MHz DFLL did not lock or the 32 kHz
 * crystal did not start (HELLO status CLOCK_UNLOCKED). A weak default in core/hal_defaults.c
 * returns true; the SAM D21 arch code overrides it. */
bool hal_clock_ok(void);

/* Board identity */
const char *hal_board_name(void);
uint32_t hal_chip_id(void);            /* DSU DID (0 on host) */
void hal_serial_number(char out[33]);  /* 32 hex chars + NUL */

/* Status LED (no-op where absent) */
void hal_led(bool on);

/* Reset the MCU (into the bootloader if to_bootloader and the board has one). */
void hal_system_reset(bool to_bootloader);

#endif
