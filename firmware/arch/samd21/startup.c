/*
 * Start-up for the SAM D21 (samd21-facts.md 1.2, 1.3): vector table, data copy,
 * bss clear, VTOR, NVMCTRL MANW, clocks, main().
 */
#include <stdint.h>
#include "samd21.h"
#include "clock.h"

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
extern int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
void EIC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void USB_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SERCOM3_Handler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*vector_fn)(void);

/* 16 core entries + 29 peripheral slots (IRQ 0..28). */
__attribute__((section(".vectors"), used))
const vector_fn vector_table[16 + 29] = {
    (vector_fn)(uintptr_t)&__stack_top,
    Reset_Handler,
    Default_Handler,   /* NMI */
    HardFault_Handler, /* HardFault */
    0, 0, 0, 0, 0, 0, 0,
    Default_Handler,   /* SVCall */
    0, 0,
    Default_Handler,   /* PendSV */
    SysTick_Handler,
    Default_Handler,   /* 0 PM */
    Default_Handler,   /* 1 SYSCTRL */
    Default_Handler,   /* 2 WDT */
    Default_Handler,   /* 3 RTC */
    EIC_Handler,       /* 4 EIC */
    Default_Handler,   /* 5 NVMCTRL */
    Default_Handler,   /* 6 DMAC */
    USB_Handler,       /* 7 USB */
    Default_Handler,   /* 8 EVSYS */
    Default_Handler,   /* 9 SERCOM0 */
    Default_Handler,   /* 10 SERCOM1 */
    Default_Handler,   /* 11 SERCOM2 */
    SERCOM3_Handler,   /* 12 SERCOM3 */
    Default_Handler,   /* 13 SERCOM4 */
    Default_Handler,   /* 14 SERCOM5 */
    Default_Handler, Default_Handler, Default_Handler, /* 15-17 TCC */
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, /* 18-22 TC */
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, /* 23-27 */
    Default_Handler,   /* 28 reserved */
};

void Reset_Handler(void)
{
    uint32_t *src = &__data_load;
    uint32_t *dst = &__data_start;
    while (dst < &__data_end) {
        *dst++ = *src++;
    }
    for (dst = &__bss_start; dst < &__bss_end; dst++) {
        *dst = 0;
    }
    SCB_VTOR = (uint32_t)(uintptr_t)vector_table;
    NVMCTRL_CTRLB |= NVMCTRL_MANW; /* errata workaround, manual page write */
    clock_init();
    (void)main();
    for (;;) {
    }
}

void Default_Handler(void)
{
    for (;;) {
    }
}

void HardFault_Handler(void)
{
    /* Reset rather than hang: the app sees the board re-enumerate. */
    SCB_AIRCR = AIRCR_SYSRESET;
    for (;;) {
    }
}
