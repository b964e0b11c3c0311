/* SERCOM USART for the EDBG virtual COM port on the Xplained Pro
 * (samd21-facts.md 4.2 step list; 115200 8N1, BAUD 63019 at 48 MHz). */
#include "board_config.h"
#if !BOARD_HAS_USB_CDC
#include "samd21.h"
#include "clock.h"
#include "gpio.h"
#include "ringbuf.h"
#include "serial_port.h"

static uint8_t s_rx_mem[1024];
static ringbuf_t s_rx;

void serial_port_init(void)
{
    rb_init(&s_rx, s_rx_mem, sizeof s_rx_mem);
    PM_APBCMASK |= 1u << (2u + UART_SERCOM);
    clock_enable_peripheral(GCLK_ID_SERCOM(UART_SERCOM));
    gpio_function(UART_TX_G, UART_TX_P, UART_PMUX);
    gpio_function(UART_RX_G, UART_RX_P, UART_PMUX);
    SERCOM_CTRLA(UART_SERCOM) = SERCOM_SWRST;
    while ((SERCOM_CTRLA(UART_SERCOM) & SERCOM_SWRST) || (SERCOM_SYNCBUSY(UART_SERCOM) & SERCOM_SWRST)) {
    }
    SERCOM_CTRLA(UART_SERCOM) = (1u << 2) | (UART_TXPO << 16) | (UART_RXPO << 20) | (1u << 30);
    SERCOM_CTRLB(UART_SERCOM) = (1u << 16) | (1u << 17);
    while (SERCOM_SYNCBUSY(UART_SERCOM) & SERCOM_SB_CTRLB) {
    }
    SERCOM_BAUD16(UART_SERCOM) = 63019u;
    SERCOM_INTENSET(UART_SERCOM) = SERCOM_INT_RXC;
    SERCOM_CTRLA(UART_SERCOM) |= SERCOM_ENABLE;
    while (SERCOM_SYNCBUSY(UART_SERCOM) & SERCOM_ENABLE) {
    }
    NVIC_ISER = 1u << (IRQ_SERCOM0 + UART_SERCOM);
}

void SERCOM3_Handler(void)
{
    while (SERCOM_INTFLAG(UART_SERCOM) & SERCOM_INT_RXC) {
        uint8_t b = (uint8_t)SERCOM_DATA(UART_SERCOM);
        (void)rb_put(&s_rx, b); /* overflow drops; the frame CRC catches it */
    }
    uint16_t st = SERCOM_STATUS(UART_SERCOM);
    if (st & 0x6u) {
        SERCOM_STATUS(UART_SERCOM) = st & 0x6u; /* FERR, BUFOVF */
    }
}

size_t serial_port_read(uint8_t *buf, size_t max)
{
    size_t n = 0;
    while (n < max && rb_get(&s_rx, &buf[n])) {
        n++;
    }
    return n;
}

void serial_port_write(const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (!(SERCOM_INTFLAG(UART_SERCOM) & SERCOM_INT_DRE)) {
        }
        SERCOM_DATA(UART_SERCOM) = buf[i];
    }
}

void serial_port_poll(void)
{
}

bool serial_port_touch_requested(void)
{
    return false;
}
#endif
