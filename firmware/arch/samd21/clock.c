/*
 * 48 MHz DFLL (samd21-facts.md 2.3 closed loop on XOSC32K, 2.4 USB clock recovery
 * fallback on the USB boards).
 */
#include "clock.h"
#include "samd21.h"
#include "board_config.h"

static bool s_crystal_ok;

static void gclk_sync(void)
{
    while (GCLK_STATUS & GCLK_SYNCBUSY) {
    }
}

static void dfll_wait(void)
{
    while (!(SYSCTRL_PCLKSR & PCLKSR_DFLLRDY)) {
    }
}

static bool xosc32k_start(void)
{
    /* STARTUP 3 (4096 cycles, ~125 ms), XTALEN, EN32K; ENABLE in a separate write */
    SYSCTRL_XOSC32K = (uint16_t)((3u << 8) | (1u << 2) | (1u << 3));
    SYSCTRL_XOSC32K |= (1u << 1);
    /* At 1 MHz reset clock one loop is a few us; ~1 s timeout. */
    for (uint32_t i = 0; i < 200000u; i++) {
        if (SYSCTRL_PCLKSR & PCLKSR_XOSC32KRDY) {
            return true;
        }
    }
    return false;
}

static uint32_t nvm_dfll_coarse(void)
{
    uint32_t coarse = (REG32(NVM_SW_CAL_WORD1) >> 26) & 0x3Fu;
    return coarse == 0x3Fu ? 0x1Fu : coarse;
}

void clock_init(void)
{
    /* 1 flash wait state for 48 MHz at 3.3 V (2.2) */
    NVMCTRL_CTRLB = (NVMCTRL_CTRLB & ~(0xFu << 1)) | (1u << 1);

    s_crystal_ok = xosc32k_start();

    /* errata 9905: DFLL on-demand off before touching its registers */
    SYSCTRL_DFLLCTRL = DFLLCTRL_ENABLE;
    dfll_wait();

    if (s_crystal_ok) {
        GCLK_GENDIV = 1u;
        gclk_sync();
        GCLK_GENCTRL = 0x00010501u; /* gen 1 <- XOSC32K, GENEN */
        gclk_sync();
        GCLK_CLKCTRL = (uint16_t)(GCLK_CLKEN | (1u << 8) | GCLK_ID_DFLL48);
        gclk_sync();
        SYSCTRL_DFLLMUL = (31u << 26) | (511u << 16) | 1465u;
        dfll_wait();
        SYSCTRL_DFLLCTRL = DFLLCTRL_ENABLE | DFLLCTRL_MODE | DFLLCTRL_WAITLOCK | DFLLCTRL_QLDIS;
        dfll_wait();
        uint32_t lock = PCLKSR_DFLLLCKC | PCLKSR_DFLLLCKF;
        for (uint32_t i = 0; i < 2000000u && (SYSCTRL_PCLKSR & lock) != lock; i++) {
        }
        dfll_wait();
    } else {
        /* No crystal: open loop from the factory coarse value; on the USB boards
         * the DFLL then tracks USB start-of-frame (USB clock recovery). */
        SYSCTRL_DFLLVAL = (nvm_dfll_coarse() << 10) | 0x1FFu;
        dfll_wait();
#if BOARD_HAS_USB_CDC
        SYSCTRL_DFLLMUL = (7u << 26) | (10u << 16) | 48000u;
        dfll_wait();
        SYSCTRL_DFLLCTRL = 0;
        dfll_wait();
        SYSCTRL_DFLLCTRL = DFLLCTRL_MODE | DFLLCTRL_CCDIS | DFLLCTRL_USBCRM | DFLLCTRL_BPLCKC;
        dfll_wait();
        SYSCTRL_DFLLCTRL |= DFLLCTRL_ENABLE;
        dfll_wait();
#endif
    }

    GCLK_GENDIV = 0u;
    gclk_sync();
    GCLK_GENCTRL = 0x00030700u; /* gen 0 <- DFLL48M, GENEN, IDC */
    gclk_sync();

    PM_CPUSEL = 0;
    PM_APBASEL = 0;
    PM_APBBSEL = 0;
    PM_APBCSEL = 0;
}

bool clock_crystal_ok(void)
{
    return s_crystal_ok;
}

void clock_enable_peripheral(uint32_t gclk_id)
{
    GCLK_CLKCTRL = (uint16_t)(GCLK_CLKEN | (0u << 8) | gclk_id);
    gclk_sync();
}
