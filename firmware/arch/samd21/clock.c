/*
 * 48 MHz DFLL (samd21-facts.md 2.3 closed loop on XOSC32K; 2.4 USB clock recovery fallback on the
 * USB boards). The 32 kHz crystal gets up to 2 s to start (Arduino's core allows the same) and the
 * DFLL up to 200 ms to lock, both timed with SysTick on the reset clock. If either fails, the board
 * runs on a fallback clock - USB clock recovery on the MKR1000/Feather (locks to the host's
 * start-of-frame), the open-loop DFLL from its factory calibration on the Xplained Pro - and
 * says so through hal_clock_ok() (HELLO status CLOCK_UNLOCKED).
 */
#include "clock.h"
#include "hal.h"
#include "samd21.h"
#include "board_config.h"

/* Flash wait states for 48 MHz at 3.3 V (2.2; bring-up check 20). Overridable for a board that
 * needs 2, and for the emulator's test that 0 at 48 MHz is refused. */
#ifndef FLASH_WAIT_STATES
#define FLASH_WAIT_STATES 1u
#endif

/* The fallback DFLL runs open loop (or locks to USB start-of-frame later): its frequency may be
 * above 48 MHz, where one wait state is no longer enough (found by the emulator's NVMCTRL model). */
#define FALLBACK_FLASH_WAIT_STATES 2u

#define RESET_CLOCK_HZ 1000000u   /* OSC8M / 8 out of reset */
#define CRYSTAL_TIMEOUT_MS 2000u
#define DFLL_LOCK_TIMEOUT_MS 200u

static bool s_crystal_ok;
static bool s_dfll_locked;

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

/* SysTick as a free-running 24-bit counter of reset-clock cycles, until systick_init() takes it. */
static void stopwatch_start(void)
{
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_CPUCLOCK;
}

static uint32_t stopwatch_ms(void)
{
    return (0x00FFFFFFu - (SYST_CVR & 0x00FFFFFFu)) / (RESET_CLOCK_HZ / 1000u);
}

/* Wait until all of `bits` are set in PCLKSR, at most timeout_ms; true when they are. */
static bool pclksr_wait(uint32_t bits, uint32_t timeout_ms)
{
    stopwatch_start();
    while ((SYSCTRL_PCLKSR & bits) != bits) {
        if (stopwatch_ms() >= timeout_ms) {
            return false;
        }
    }
    return true;
}

static bool xosc32k_start(void)
{
    /* STARTUP 3 (4096 cycles, ~125 ms once it oscillates), XTALEN, EN32K; ENABLE in a separate write */
    SYSCTRL_XOSC32K = XOSC32K_STARTUP(3u) | XOSC32K_XTALEN | XOSC32K_EN32K;
    SYSCTRL_XOSC32K |= XOSC32K_ENABLE;
    return pclksr_wait(PCLKSR_XOSC32KRDY, CRYSTAL_TIMEOUT_MS);
}

static uint32_t nvm_dfll_coarse(void)
{
    uint32_t coarse = (REG32(NVM_SW_CAL_WORD1) >> 26) & 0x3Fu;
    return coarse == 0x3Fu ? 0x1Fu : coarse;
}

/* Closed loop on the crystal through generator 1; true when both lock bits came. */
static bool dfll_lock_on_crystal(void)
{
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
    bool locked = pclksr_wait(PCLKSR_DFLLLCKC | PCLKSR_DFLLLCKF, DFLL_LOCK_TIMEOUT_MS);
    dfll_wait();
    return locked;
}

static void flash_wait_states(uint32_t rws)
{
    NVMCTRL_CTRLB = (NVMCTRL_CTRLB & ~(0xFu << 1)) | (rws << 1);
}

/* Fallback: factory coarse value; on the USB boards the DFLL then tracks USB start-of-frame. */
static void dfll_fallback(void)
{
    flash_wait_states(FALLBACK_FLASH_WAIT_STATES);
    SYSCTRL_DFLLCTRL = DFLLCTRL_ENABLE; /* open loop */
    dfll_wait();
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

void clock_init(void)
{
    flash_wait_states(FLASH_WAIT_STATES);

    s_crystal_ok = xosc32k_start();

    /* errata 9905: DFLL on-demand off before touching its registers */
    SYSCTRL_DFLLCTRL = DFLLCTRL_ENABLE;
    dfll_wait();

    s_dfll_locked = s_crystal_ok && dfll_lock_on_crystal();
    if (!s_dfll_locked) {
        dfll_fallback();
    }
    SYST_CSR = 0; /* the stopwatch is done; systick_init() sets the 1 ms tick */

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

bool hal_clock_ok(void)
{
    return s_dfll_locked;
}

void clock_enable_peripheral(uint32_t gclk_id)
{
    GCLK_CLKCTRL = (uint16_t)(GCLK_CLKEN | (0u << 8) | gclk_id);
    gclk_sync();
}
