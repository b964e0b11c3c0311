/* SERCOM SPI master for the WINC, EIC line for IRQN, control GPIOs
 * (samd21-facts.md 4.3, 5.1, 7.x). Implements the hal_winc_* functions. */
#include "hal.h"
#include "samd21.h"
#include "board_config.h"
#include "clock.h"
#include "gpio.h"

static volatile bool s_irq_latched;

void winc_hw_init(void)
{
    /* control lines: reset low, chip-enable low, wake high */
    gpio_output(WINC_RST_G, WINC_RST_P, false);
    gpio_output(WINC_EN_G, WINC_EN_P, false);
#if WINC_WAKE_G != PIN_NONE
    gpio_output(WINC_WAKE_G, WINC_WAKE_P, true);
#endif
    gpio_output(WINC_CS_G, WINC_CS_P, true);

    /* SPI on SERCOMn */
    PM_APBCMASK |= PM_APBCMASK_SERCOM(WINC_SERCOM);
    clock_enable_peripheral(GCLK_ID_SERCOM(WINC_SERCOM));
    SERCOM_CTRLA(WINC_SERCOM) = SERCOM_SWRST;
    while ((SERCOM_CTRLA(WINC_SERCOM) & SERCOM_SWRST) || (SERCOM_SYNCBUSY(WINC_SERCOM) & SERCOM_SWRST)) {
    }
    SERCOM_CTRLA(WINC_SERCOM) = (3u << 2) | (WINC_SPI_DOPO << 16) | (WINC_SPI_DIPO << 20); /* master, mode 0, MSB first */
    SERCOM_CTRLB(WINC_SERCOM) = 1u << 17; /* RXEN, 8 bit */
    while (SERCOM_SYNCBUSY(WINC_SERCOM) & SERCOM_SB_CTRLB) {
    }
    SERCOM_BAUD8(WINC_SERCOM) = WINC_SPI_BAUD;
    SERCOM_CTRLA(WINC_SERCOM) |= SERCOM_ENABLE;
    while (SERCOM_SYNCBUSY(WINC_SERCOM) & SERCOM_ENABLE) {
    }
    gpio_function(WINC_MISO_G, WINC_MISO_P, WINC_SPI_PMUX);
    gpio_function(WINC_MOSI_G, WINC_MOSI_P, WINC_SPI_PMUX);
    gpio_function(WINC_SCK_G, WINC_SCK_P, WINC_SPI_PMUX);

    /* IRQN: pull-up, function A, falling edge */
    clock_enable_peripheral(GCLK_ID_EIC);
    gpio_input_pullup(WINC_IRQ_G, WINC_IRQ_P);
    gpio_function(WINC_IRQ_G, WINC_IRQ_P, PMUX_A);
    uint32_t cfg = WINC_IRQ_EXTINT / 8u;
    uint32_t shift = 4u * (WINC_IRQ_EXTINT % 8u);
    EIC_CONFIG(cfg) = (EIC_CONFIG(cfg) & ~(0xFu << shift)) | (EIC_SENSE_FALL << shift);
    EIC_INTFLAG = 1u << WINC_IRQ_EXTINT;
    EIC_INTENSET = 1u << WINC_IRQ_EXTINT;
    EIC_CTRL = 1u << 1;
    while (EIC_STATUS & (1u << 7)) {
    }
    NVIC_ICPR = 1u << IRQ_EIC;
    NVIC_ISER = 1u << IRQ_EIC;
}

void EIC_Handler(void)
{
    uint32_t f = EIC_INTFLAG & (1u << WINC_IRQ_EXTINT);
    if (f) {
        EIC_INTFLAG = f;
        s_irq_latched = true;
    }
}

bool hal_winc_irq_take(void)
{
    if (s_irq_latched) {
        s_irq_latched = false;
        return true;
    }
    return false;
}

bool hal_winc_irq_level(void)
{
    return gpio_read(WINC_IRQ_G, WINC_IRQ_P);
}

void hal_winc_reset_pin(bool high) { gpio_write(WINC_RST_G, WINC_RST_P, high); }
void hal_winc_chip_en_pin(bool high) { gpio_write(WINC_EN_G, WINC_EN_P, high); }

void hal_winc_wake_pin(bool high)
{
#if WINC_WAKE_G != PIN_NONE
    gpio_write(WINC_WAKE_G, WINC_WAKE_P, high);
#else
    (void)high;
#endif
}

void hal_winc_cs(bool select)
{
    gpio_write(WINC_CS_G, WINC_CS_P, !select);
}

void hal_winc_spi_xfer(const uint8_t *tx, uint8_t *rx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (!(SERCOM_INTFLAG(WINC_SERCOM) & SERCOM_INT_DRE)) {
        }
        SERCOM_DATA(WINC_SERCOM) = tx ? tx[i] : 0u;
        while (!(SERCOM_INTFLAG(WINC_SERCOM) & SERCOM_INT_RXC)) {
        }
        uint8_t b = (uint8_t)SERCOM_DATA(WINC_SERCOM);
        if (rx) {
            rx[i] = b;
        }
    }
}
