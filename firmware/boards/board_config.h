/*
 * Per-board pin maps (shared/reference/samd21-facts.md section 7).
 * Exactly one of BOARD_SAMD21_XPRO, BOARD_MKR1000, BOARD_FEATHER_M0_WIFI is defined by the Makefile.
 * Pins are written as (group, pin): group 0 = PORTA, 1 = PORTB.
 */
#ifndef BOARD_CONFIG_H
#define BOARD_CONFIG_H

#define PA 0u
#define PB 1u
#define PIN_NONE 0xFFu

#if defined(BOARD_SAMD21_XPRO)
/* ATWINC1500-XPRO on EXT1, SERCOM0 mux D, DOPO 1 / DIPO 0 (7.1) */
#define BOARD_NAME        "samd21-xpro"
#define BOARD_HAS_USB_CDC 0
#define WINC_SERCOM       0u
#define WINC_SPI_PMUX     PMUX_D
#define WINC_SPI_DOPO     1u
#define WINC_SPI_DIPO     0u
#define WINC_MISO_G PA
#define WINC_MISO_P 4u
#define WINC_MOSI_G PA
#define WINC_MOSI_P 6u
#define WINC_SCK_G  PA
#define WINC_SCK_P  7u
#define WINC_CS_G   PA
#define WINC_CS_P   5u
#define WINC_IRQ_G  PB
#define WINC_IRQ_P  4u
#define WINC_IRQ_EXTINT 4u
#define WINC_RST_G  PB
#define WINC_RST_P  6u
#define WINC_EN_G   PB
#define WINC_EN_P   5u
#define WINC_WAKE_G PB
#define WINC_WAKE_P 7u
#define LED_G PB
#define LED_P 30u
#define LED_ACTIVE_HIGH 0
/* EDBG virtual COM port: SERCOM3, PA22 TX PAD0, PA23 RX PAD1, function C (7.4) */
#define UART_SERCOM 3u
#define UART_TX_G PA
#define UART_TX_P 22u
#define UART_RX_G PA
#define UART_RX_P 23u
#define UART_PMUX PMUX_C
#define UART_TXPO 0u
#define UART_RXPO 1u

#elif defined(BOARD_MKR1000)
/* on-board WINC1500, SERCOM4 mux D, DOPO 0 / DIPO 3 (7.2) */
#define BOARD_NAME        "mkr1000"
#define BOARD_HAS_USB_CDC 1
#define USB_VID 0x2341u
#define USB_PID 0x804Eu
#define USB_PRODUCT "WINC Cert Firmware (MKR1000)"
#define WINC_SERCOM       4u
#define WINC_SPI_PMUX     PMUX_D
#define WINC_SPI_DOPO     0u
#define WINC_SPI_DIPO     3u
#define WINC_MOSI_G PA
#define WINC_MOSI_P 12u
#define WINC_SCK_G  PA
#define WINC_SCK_P  13u
#define WINC_MISO_G PA
#define WINC_MISO_P 15u
#define WINC_CS_G   PA
#define WINC_CS_P   14u
#define WINC_IRQ_G  PB
#define WINC_IRQ_P  9u
#define WINC_IRQ_EXTINT 9u
#define WINC_RST_G  PA
#define WINC_RST_P  27u
#define WINC_EN_G   PA
#define WINC_EN_P   28u
#define WINC_WAKE_G PB
#define WINC_WAKE_P 8u
#define LED_G PA
#define LED_P 20u
#define LED_ACTIVE_HIGH 1

#elif defined(BOARD_FEATHER_M0_WIFI)
/* on-board ATWINC1500, SERCOM4 mux D, DOPO 1 / DIPO 0 (7.3); WAKE not connected */
#define BOARD_NAME        "feather-m0-wifi"
#define BOARD_HAS_USB_CDC 1
#define USB_VID 0x239Au
#define USB_PID 0x800Bu
#define USB_PRODUCT "WINC Cert Firmware (Feather M0 WiFi)"
#define WINC_SERCOM       4u
#define WINC_SPI_PMUX     PMUX_D
#define WINC_SPI_DOPO     1u
#define WINC_SPI_DIPO     0u
#define WINC_MISO_G PA
#define WINC_MISO_P 12u
#define WINC_MOSI_G PB
#define WINC_MOSI_P 10u
#define WINC_SCK_G  PB
#define WINC_SCK_P  11u
#define WINC_CS_G   PA
#define WINC_CS_P   6u
#define WINC_IRQ_G  PA
#define WINC_IRQ_P  21u
#define WINC_IRQ_EXTINT 5u
#define WINC_RST_G  PA
#define WINC_RST_P  8u
#define WINC_EN_G   PA
#define WINC_EN_P   14u
#define WINC_WAKE_G PIN_NONE
#define WINC_WAKE_P PIN_NONE
#define LED_G PA
#define LED_P 17u
#define LED_ACTIVE_HIGH 1

#else
#error "define one BOARD_* macro"
#endif

/* Build-time override of the WINC SPI pad layout (make EXTRA_CFLAGS=-DWINC_SPI_DOPO_OVERRIDE=n):
 * for a board variant wired differently, and for the emulator's test that a wrong layout fails. */
#ifdef WINC_SPI_DOPO_OVERRIDE
#undef WINC_SPI_DOPO
#define WINC_SPI_DOPO WINC_SPI_DOPO_OVERRIDE
#endif

/* WINC SPI clock: 12 MHz like the reference hosts (BAUD = 48 MHz / (2 * 12 MHz) - 1) */
#define WINC_SPI_BAUD 1u

#endif
