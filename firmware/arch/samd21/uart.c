/* SERCOM USART for the EDBG virtual COM port on the Xplained Pro
 * (samd21-facts.md 4.2 step list; 115200 8N1, BAUD 63019 at 48 MHz).
 * Both directions are interrupt driven: RXC fills the receive ring, DRE drains the transmit ring,
 * so the CPU keeps serving while a frame goes out at 115200 baud. */
#include "board_config.h"
#if !BOARD_HAS_USB_CDC
#include "samd21.h"
#include "clock.h"
#include "frame.h"
#include "gpio.h"
#include "serial_port.h"

/* The largest frame the board accepts, encoded, with its 0x00 delimiter: the receive ring holds
 * two of them, so a request that arrives while the board is busy (WINC start, flash work) is
 * never cut. */
#define UART_FRAME_BYTES (FRAME_RX_ENC_MAX + 1u)
#define UART_RX_BYTES (2u * UART_FRAME_BYTES + 1u) /* one slot stays free to tell full from empty */
#define UART_TX_BYTES 512u

typedef struct {
    uint8_t *buf;
    uint16_t size;
    volatile uint16_t head; /* written by the producer */
    volatile uint16_t tail; /* written by the consumer */
} uart_ring_t;

static uint8_t s_rx_mem[UART_RX_BYTES];
static uint8_t s_tx_mem[UART_TX_BYTES];
static uart_ring_t s_rx = {s_rx_mem, UART_RX_BYTES, 0, 0};
static uart_ring_t s_tx = {s_tx_mem, UART_TX_BYTES, 0, 0};

_Static_assert(UART_RX_BYTES - 1u >= 2u * UART_FRAME_BYTES, "the UART receive ring must hold two maximum frames");

static uint16_t ring_next(const uart_ring_t *r, uint16_t i) { return (uint16_t)(i + 1u == r->size ? 0u : i + 1u); }

static bool ring_put(uart_ring_t *r, uint8_t b)
{
    uint16_t next = ring_next(r, r->head);
    if (next == r->tail) {
        return false;
    }
    r->buf[r->head] = b;
    r->head = next;
    return true;
}

static bool ring_get(uart_ring_t *r, uint8_t *b)
{
    if (r->tail == r->head) {
        return false;
    }
    *b = r->buf[r->tail];
    r->tail = ring_next(r, r->tail);
    return true;
}

void serial_port_init(void)
{
    PM_APBCMASK |= PM_APBCMASK_SERCOM(UART_SERCOM);
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
        (void)ring_put(&s_rx, b); /* overflow drops; the frame CRC catches it */
    }
    uint16_t st = SERCOM_STATUS(UART_SERCOM);
    if (st & 0x6u) {
        SERCOM_STATUS(UART_SERCOM) = st & 0x6u; /* FERR, BUFOVF */
    }
    if ((SERCOM_INTENSET(UART_SERCOM) & SERCOM_INT_DRE) && (SERCOM_INTFLAG(UART_SERCOM) & SERCOM_INT_DRE)) {
        uint8_t b;
        if (ring_get(&s_tx, &b)) {
            SERCOM_DATA(UART_SERCOM) = b;
        } else {
            SERCOM_INTENCLR(UART_SERCOM) = SERCOM_INT_DRE;
        }
    }
}

size_t serial_port_read(uint8_t *buf, size_t max)
{
    size_t n = 0;
    while (n < max && ring_get(&s_rx, &buf[n])) {
        n++;
    }
    return n;
}

void serial_port_write(const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!ring_put(&s_tx, buf[i])) {
            SERCOM_INTENSET(UART_SERCOM) = SERCOM_INT_DRE;
            while (!ring_put(&s_tx, buf[i])) {
                /* the DRE interrupt drains the ring */
            }
        }
    }
    SERCOM_INTENSET(UART_SERCOM) = SERCOM_INT_DRE;
}

void serial_port_poll(void)
{
}

bool serial_port_touch_requested(void)
{
    return false;
}
#endif
