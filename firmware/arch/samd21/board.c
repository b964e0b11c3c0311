/*
 * Board glue: HAL serial/identity/LED/reset functions and the ARM main().
 */
#include <string.h>
#include "hal.h"
#include "samd21.h"
#include "board_config.h"
#include "gpio.h"
#include "serial_port.h"
#include "app.h"

void systick_init(void);
void winc_hw_init(void);

#define SAMBA_MAGIC 0x07738135u /* Arduino/Adafruit SAM-BA double-tap */
#define UF2_MAGIC   0xF01669EFu /* UF2 double-tap */

static uint32_t s_app_start(void)
{
    return SCB_VTOR; /* written by Reset_Handler with our vector table address */
}

size_t hal_serial_read(uint8_t *buf, size_t max) { return serial_port_read(buf, max); }
void hal_serial_write(const uint8_t *buf, size_t n) { serial_port_write(buf, n); }

void hal_poll(void)
{
    serial_port_poll();
    if (serial_port_touch_requested()) {
        hal_system_reset(true);
    }
}

const char *hal_board_name(void) { return BOARD_NAME; }

uint32_t hal_chip_id(void) { return REG32(0x41002018u); }

void hal_serial_number(char out[33])
{
    static const char hex[] = "0123456789ABCDEF";
    const uint32_t words[4] = {REG32(SERIAL_WORD0), REG32(SERIAL_WORD1), REG32(SERIAL_WORD2), REG32(SERIAL_WORD3)};
    for (int w = 0; w < 4; w++) {
        for (int i = 0; i < 8; i++) {
            out[w * 8 + i] = hex[(words[w] >> (28 - 4 * i)) & 0xFu];
        }
    }
    out[32] = 0;
}

void hal_led(bool on)
{
    gpio_write(LED_G, LED_P, LED_ACTIVE_HIGH ? on : !on);
}

/* Runs from RAM: erases the application's first row (vector table) so that a
 * bootloader without a recognised magic stays resident (samd21-facts.md 6.12 a).
 * Never touches anything below the application start, which is >= 0x2000 here. */
__attribute__((section(".ramfunc"), noinline, long_call, noreturn))
static void ram_erase_first_row_and_reset(uint32_t app_start)
{
    while (!(NVMCTRL_INTFLAG & 1u)) {
    }
    NVMCTRL_STATUS = 0xFFFFu;
    NVMCTRL_ADDR = app_start / 2u;
    NVMCTRL_CTRLA = NVMCTRL_CMD_ER;
    while (!(NVMCTRL_INTFLAG & 1u)) {
    }
    SCB_AIRCR = AIRCR_SYSRESET;
    for (;;) {
    }
}

static uint32_t find_bootloader_magic(uint32_t app_start)
{
    for (uint32_t a = 0; a + 4u <= app_start; a += 2u) {
        uint32_t v = (uint32_t)REG16(a) | ((uint32_t)REG16(a + 2u) << 16);
        if (v == SAMBA_MAGIC || v == UF2_MAGIC) {
            return v;
        }
    }
    return 0;
}

void hal_system_reset(bool to_bootloader)
{
    __asm volatile("cpsid i" ::: "memory");
    uint32_t app_start = s_app_start();
    if (to_bootloader && app_start >= 0x2000u) {
        uint32_t magic = find_bootloader_magic(app_start);
        if (magic) {
            REG32(DBL_TAP_ADDR) = magic;
        } else {
            ram_erase_first_row_and_reset(app_start);
        }
    }
    SCB_AIRCR = AIRCR_SYSRESET;
    for (;;) {
    }
}

int main(void)
{
    systick_init();
    gpio_output(LED_G, LED_P, !LED_ACTIVE_HIGH);
    serial_port_init();
    winc_hw_init();
    __asm volatile("cpsie i" ::: "memory");
    app_init();
    for (;;) {
        app_poll();
    }
}
