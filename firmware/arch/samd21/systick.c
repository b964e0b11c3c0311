/* 1 ms SysTick at 48 MHz (samd21-facts.md 5.2) */
#include "hal.h"
#include "samd21.h"
#include "clock.h"

static volatile uint32_t s_ms;

void systick_init(void)
{
    SYST_RVR = CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SCB_SHPR3 = (SCB_SHPR3 & 0x00FFFFFFu) | (0x80u << 24);
    SYST_CSR = 0x7u;
}

void SysTick_Handler(void)
{
    s_ms++;
}

uint32_t hal_millis(void)
{
    return s_ms;
}

void hal_delay_ms(uint32_t ms)
{
    uint32_t start = s_ms;
    while ((uint32_t)(s_ms - start) < ms) {
        hal_poll();
    }
}
