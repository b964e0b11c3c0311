/*
 * Register definitions for the ATSAMD21J18A / ATSAMD21G18A, written for this
 * project from the addresses and bit positions in shared/reference/samd21-facts.md.
 * Only what the firmware uses is defined. Plain address macros, no vendor structs.
 */
#ifndef SAMD21_H
#define SAMD21_H

#include <stdint.h>

#define REG8(a)  (*(volatile uint8_t *)(uintptr_t)(a))
#define REG16(a) (*(volatile uint16_t *)(uintptr_t)(a))
#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

/* ---- memory ---- */
#define FLASH_BASE        0x00000000u
#define FLASH_SIZE        0x00040000u
#define FLASH_ROW_SIZE    256u
#define SRAM_BASE         0x20000000u
#define SRAM_SIZE         0x00008000u
#define DBL_TAP_ADDR      0x20007FFCu   /* last SRAM word, bootloader magic */
#define NVM_SW_CAL_WORD1  0x00806024u   /* USB pad cal + DFLL coarse */
#define NVM_USER_ROW      0x00804000u
#define SERIAL_WORD0      0x0080A00Cu
#define SERIAL_WORD1      0x0080A040u
#define SERIAL_WORD2      0x0080A044u
#define SERIAL_WORD3      0x0080A048u

/* ---- Cortex-M0+ system control space ---- */
#define SYST_CSR   REG32(0xE000E010u)
#define SYST_RVR   REG32(0xE000E014u)
#define SYST_CVR   REG32(0xE000E018u)
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CPUCLOCK  (1u << 2)
#define NVIC_ISER  REG32(0xE000E100u)
#define NVIC_ICER  REG32(0xE000E180u)
#define NVIC_ICPR  REG32(0xE000E280u)
#define NVIC_IPR(n) REG32(0xE000E400u + 4u * (n))
#define SCB_VTOR   REG32(0xE000ED08u)
#define SCB_AIRCR  REG32(0xE000ED0Cu)
#define SCB_SHPR3  REG32(0xE000ED20u)
#define AIRCR_SYSRESET 0x05FA0004u

/* IRQ numbers */
#define IRQ_EIC      4u
#define IRQ_USB      7u
#define IRQ_SERCOM0  9u

/* ---- PM 0x40000400 ---- */
#define PM_BASE      0x40000400u
#define PM_CPUSEL    REG8(PM_BASE + 0x08u)
#define PM_APBASEL   REG8(PM_BASE + 0x09u)
#define PM_APBBSEL   REG8(PM_BASE + 0x0Au)
#define PM_APBCSEL   REG8(PM_BASE + 0x0Bu)
#define PM_APBCMASK  REG32(PM_BASE + 0x20u)
#ifndef PM_APBCMASK_SERCOM
#define PM_APBCMASK_SERCOM(n) (1u << (2u + (n)))   /* APBC bus clock of SERCOMn */
#endif
#define PM_RCAUSE    REG8(PM_BASE + 0x38u)

/* ---- SYSCTRL 0x40000800 ---- */
#define SYSCTRL_BASE     0x40000800u
#define SYSCTRL_PCLKSR   REG32(SYSCTRL_BASE + 0x0Cu)
#define SYSCTRL_XOSC32K  REG16(SYSCTRL_BASE + 0x14u)
#define SYSCTRL_OSC8M    REG32(SYSCTRL_BASE + 0x20u)
#define SYSCTRL_DFLLCTRL REG16(SYSCTRL_BASE + 0x24u)
#define SYSCTRL_DFLLVAL  REG32(SYSCTRL_BASE + 0x28u)
#define SYSCTRL_DFLLMUL  REG32(SYSCTRL_BASE + 0x2Cu)
#define PCLKSR_XOSC32KRDY (1u << 1)
#define PCLKSR_DFLLRDY    (1u << 4)
#define PCLKSR_DFLLLCKF   (1u << 6)
#define PCLKSR_DFLLLCKC   (1u << 7)
#define XOSC32K_ENABLE    (1u << 1)
#define XOSC32K_XTALEN    (1u << 2)
#define XOSC32K_EN32K     (1u << 3)
#define XOSC32K_STARTUP(n) ((uint16_t)((n) << 8))
#define DFLLCTRL_ENABLE   (1u << 1)
#define DFLLCTRL_MODE     (1u << 2)
#define DFLLCTRL_USBCRM   (1u << 5)
#define DFLLCTRL_CCDIS    (1u << 8)
#define DFLLCTRL_QLDIS    (1u << 9)
#define DFLLCTRL_BPLCKC   (1u << 10)
#define DFLLCTRL_WAITLOCK (1u << 11)

/* ---- GCLK 0x40000C00 ---- */
#define GCLK_BASE     0x40000C00u
#define GCLK_CTRL     REG8(GCLK_BASE + 0x0u)
#define GCLK_STATUS   REG8(GCLK_BASE + 0x1u)
#define GCLK_CLKCTRL  REG16(GCLK_BASE + 0x2u)
#define GCLK_GENCTRL  REG32(GCLK_BASE + 0x4u)
#define GCLK_GENDIV   REG32(GCLK_BASE + 0x8u)
#define GCLK_SYNCBUSY (1u << 7)
#define GCLK_CLKEN    (1u << 14)
#define GCLK_ID_DFLL48 0x00u
#define GCLK_ID_EIC    0x05u
#define GCLK_ID_USB    0x06u
#define GCLK_ID_SERCOM(n) (0x14u + (n))

/* ---- EIC 0x40001800 ---- */
#define EIC_BASE      0x40001800u
#define EIC_CTRL      REG8(EIC_BASE + 0x00u)
#define EIC_STATUS    REG8(EIC_BASE + 0x01u)
#define EIC_INTENCLR  REG32(EIC_BASE + 0x08u)
#define EIC_INTENSET  REG32(EIC_BASE + 0x0Cu)
#define EIC_INTFLAG   REG32(EIC_BASE + 0x10u)
#define EIC_CONFIG(n) REG32(EIC_BASE + 0x18u + 4u * (n))
#define EIC_SENSE_FALL 2u

/* ---- NVMCTRL 0x41004000 ---- */
#define NVMCTRL_BASE    0x41004000u
#define NVMCTRL_CTRLA   REG16(NVMCTRL_BASE + 0x00u)
#define NVMCTRL_CTRLB   REG32(NVMCTRL_BASE + 0x04u)
#define NVMCTRL_INTFLAG REG8(NVMCTRL_BASE + 0x14u)
#define NVMCTRL_STATUS  REG16(NVMCTRL_BASE + 0x18u)
#define NVMCTRL_ADDR    REG32(NVMCTRL_BASE + 0x1Cu)
#define NVMCTRL_CMD_ER  0xA502u
#define NVMCTRL_MANW    (1u << 7)

/* ---- PORT 0x41004400 ---- */
#define PORT_BASE(g)      (0x41004400u + 0x80u * (g))
#define PORT_DIRCLR(g)    REG32(PORT_BASE(g) + 0x04u)
#define PORT_DIRSET(g)    REG32(PORT_BASE(g) + 0x08u)
#define PORT_OUTCLR(g)    REG32(PORT_BASE(g) + 0x14u)
#define PORT_OUTSET(g)    REG32(PORT_BASE(g) + 0x18u)
#define PORT_IN(g)        REG32(PORT_BASE(g) + 0x20u)
#define PORT_PMUX(g, k)   REG8(PORT_BASE(g) + 0x30u + (k))
#define PORT_PINCFG(g, n) REG8(PORT_BASE(g) + 0x40u + (n))
#define PINCFG_PMUXEN (1u << 0)
#define PINCFG_INEN   (1u << 1)
#define PINCFG_PULLEN (1u << 2)
#define PMUX_A 0u
#define PMUX_C 2u
#define PMUX_D 3u
#define PMUX_G 6u

/* ---- USB 0x41005000 ---- */
#define USB_BASE        0x41005000u
#define USB_CTRLA       REG8(USB_BASE + 0x000u)
#define USB_SYNCBUSY    REG8(USB_BASE + 0x002u)
#define USB_QOSCTRL     REG8(USB_BASE + 0x003u)
#define USB_CTRLB       REG16(USB_BASE + 0x008u)
#define USB_DADD        REG8(USB_BASE + 0x00Au)
#define USB_INTENCLR    REG16(USB_BASE + 0x014u)
#define USB_INTENSET    REG16(USB_BASE + 0x018u)
#define USB_INTFLAG     REG16(USB_BASE + 0x01Cu)
#define USB_EPINTSMRY   REG16(USB_BASE + 0x020u)
#define USB_DESCADD     REG32(USB_BASE + 0x024u)
#define USB_PADCAL      REG16(USB_BASE + 0x028u)
#define USB_EP(n)          (USB_BASE + 0x100u + 0x20u * (n))
#define USB_EPCFG(n)       REG8(USB_EP(n) + 0x0u)
#define USB_EPSTATUSCLR(n) REG8(USB_EP(n) + 0x4u)
#define USB_EPSTATUSSET(n) REG8(USB_EP(n) + 0x5u)
#define USB_EPSTATUS(n)    REG8(USB_EP(n) + 0x6u)
#define USB_EPINTFLAG(n)   REG8(USB_EP(n) + 0x7u)
#define USB_EPINTENCLR(n)  REG8(USB_EP(n) + 0x8u)
#define USB_EPINTENSET(n)  REG8(USB_EP(n) + 0x9u)
#define USB_CTRLA_SWRST  (1u << 0)
#define USB_CTRLA_ENABLE (1u << 1)
#define USB_CTRLB_DETACH (1u << 0)
#define USB_INT_EORST    (1u << 3)
#define USB_DADD_ADDEN   (1u << 7)
#define EPST_DTGLOUT  (1u << 0)
#define EPST_DTGLIN   (1u << 1)
#define EPST_STALLRQ0 (1u << 4)
#define EPST_STALLRQ1 (1u << 5)
#define EPST_BK0RDY   (1u << 6)
#define EPST_BK1RDY   (1u << 7)
#define EPINT_TRCPT0  (1u << 0)
#define EPINT_TRCPT1  (1u << 1)
#define EPINT_RXSTP   (1u << 4)

/* ---- SERCOM 0x42000800 + 0x400 n ---- */
#define SERCOM_BASE(n)      (0x42000800u + 0x400u * (n))
#define SERCOM_CTRLA(n)     REG32(SERCOM_BASE(n) + 0x00u)
#define SERCOM_CTRLB(n)     REG32(SERCOM_BASE(n) + 0x04u)
#define SERCOM_BAUD16(n)    REG16(SERCOM_BASE(n) + 0x0Cu)
#define SERCOM_BAUD8(n)     REG8(SERCOM_BASE(n) + 0x0Cu)
#define SERCOM_INTENCLR(n)  REG8(SERCOM_BASE(n) + 0x14u)
#define SERCOM_INTENSET(n)  REG8(SERCOM_BASE(n) + 0x16u)
#define SERCOM_INTFLAG(n)   REG8(SERCOM_BASE(n) + 0x18u)
#define SERCOM_STATUS(n)    REG16(SERCOM_BASE(n) + 0x1Au)
#define SERCOM_SYNCBUSY(n)  REG32(SERCOM_BASE(n) + 0x1Cu)
#define SERCOM_DATA(n)      REG32(SERCOM_BASE(n) + 0x28u)
#define SERCOM_SWRST   (1u << 0)
#define SERCOM_ENABLE  (1u << 1)
#define SERCOM_SB_CTRLB (1u << 2)
#define SERCOM_INT_DRE (1u << 0)
#define SERCOM_INT_TXC (1u << 1)
#define SERCOM_INT_RXC (1u << 2)

#endif
