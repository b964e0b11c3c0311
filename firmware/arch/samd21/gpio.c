/* PORT pin helpers (samd21-facts.md 3.1) */
#include "gpio.h"
#include "samd21.h"

void gpio_write(uint32_t group, uint32_t pin, bool level)
{
    if (level) {
        PORT_OUTSET(group) = 1u << pin;
    } else {
        PORT_OUTCLR(group) = 1u << pin;
    }
}

void gpio_output(uint32_t group, uint32_t pin, bool level)
{
    gpio_write(group, pin, level);
    PORT_PINCFG(group, pin) = PINCFG_INEN;
    PORT_DIRSET(group) = 1u << pin;
}

void gpio_input_pullup(uint32_t group, uint32_t pin)
{
    PORT_DIRCLR(group) = 1u << pin;
    PORT_OUTSET(group) = 1u << pin;
    PORT_PINCFG(group, pin) = PINCFG_INEN | PINCFG_PULLEN;
}

bool gpio_read(uint32_t group, uint32_t pin)
{
    return (PORT_IN(group) >> pin) & 1u;
}

void gpio_function(uint32_t group, uint32_t pin, uint32_t func)
{
    volatile uint8_t *pmux = &PORT_PMUX(group, pin >> 1);
    if (pin & 1u) {
        *pmux = (uint8_t)((*pmux & 0x0Fu) | (func << 4));
    } else {
        *pmux = (uint8_t)((*pmux & 0xF0u) | func);
    }
    PORT_PINCFG(group, pin) |= PINCFG_PMUXEN;
}
