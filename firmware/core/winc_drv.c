/* Boot and download mode per winc-host-driver.md 2.1, 2.4, 2.5, 4.1. */
#include "winc_drv.h"
#include <string.h>
#include "hal.h"
#include "winc_flash.h"
#include "winc_hif.h"
#include "winc_regs.h"
#include "winc_spi.h"

winc_info_t g_winc;

uint32_t winc_normalise_chip_id(uint32_t raw)
{
    return (raw & ~0x000F0000u) | 0x00050000u;
}

void winc_hw_reset(void)
{
    /* CHIP_EN high >= 10 ms before RESET_N rises, RESET_N low >= 50 ms, 10 ms before SPI (2.1) */
    hal_winc_cs(false);
    hal_winc_chip_en_pin(false);
    hal_winc_reset_pin(false);
    hal_delay_ms(50);
    hal_winc_chip_en_pin(true);
    hal_winc_wake_pin(true);
    hal_delay_ms(10);
    hal_winc_reset_pin(true);
    hal_delay_ms(10);
}

/* The boot of winc-host-driver.md 2.4 as a state machine, so the board keeps serving the serial
 * link while the WINC starts (efuse, boot ROM, firmware start: up to about 5 s). Timeouts as the
 * reference hosts: efuse ~1 s, boot ROM ~2 s, firmware init ~5 s. */
enum { BOOT_IDLE, BOOT_EFUSE, BOOT_BOOTROM, BOOT_FIRMWARE };
static struct {
    uint8_t stage;
    uint32_t since;     /* stage start */
    uint32_t last_poll; /* last register poll */
} s_boot;

static winc_err_t bus_up(void)
{
    /* what was learnt earlier (flash size in download mode, version in normal mode) survives a reset */
    g_winc.running = false;
    g_winc.download_mode = false;
    g_winc.starting = false; /* a boot in progress is abandoned */
    s_boot.stage = BOOT_IDLE;
    g_winc.chip_id = 0;
    g_winc.boots++;
    winc_hw_reset();
    if (winc_spi_init() != 0) {
        return WINC_ERR_BUS;
    }
    uint32_t raw;
    if (winc_reg_read(WINC_REG_CHIPID, &raw) != 0) {
        return WINC_ERR_BUS;
    }
    uint32_t rev = raw & 0xFF0u;
    if (rev != 0x3A0u && rev != 0x2B0u) {
        return WINC_ERR_CHIP;
    }
    g_winc.chip_id = winc_normalise_chip_id(raw);
    return WINC_OK;
}

static int enable_interrupts(void)
{
    uint32_t v;
    if (winc_reg_read(WINC_REG_PIN_MUX_0, &v) != 0 || winc_reg_write(WINC_REG_PIN_MUX_0, v | (1u << 8)) != 0) {
        return -1;
    }
    if (winc_reg_read(WINC_REG_INTR_ENABLE, &v) != 0 || winc_reg_write(WINC_REG_INTR_ENABLE, v | (1u << 16)) != 0) {
        return -1;
    }
    return 0;
}


#define EFUSE_TIMEOUT_MS 1000u
#define BOOTROM_TIMEOUT_MS 2000u
#define FW_INIT_TIMEOUT_MS 5000u

static void boot_stage(uint8_t stage)
{
    s_boot.stage = stage;
    s_boot.since = s_boot.last_poll = hal_millis();
}

static winc_err_t boot_fail(winc_err_t e)
{
    s_boot.stage = BOOT_IDLE;
    g_winc.starting = false;
    g_winc.start_failed = true;
    return e;
}

/* after the boot ROM: driver version, configuration, start the firmware (2.4 steps 4c-4e) */
static winc_err_t start_firmware(void)
{
    uint32_t v = 0;
    if (winc_reg_write(WINC_REG_NMI_STATE, WINC_DRIVER_VERSION_WORD) != 0) {
        return WINC_ERR_BUS;
    }
    int i;
    for (i = 0; i < 100; i++) {
        if (winc_reg_write(WINC_REG_GP_REG_1, WINC_GP_REG_1_CONF) == 0 &&
            winc_reg_read(WINC_REG_GP_REG_1, &v) == 0 && v == WINC_GP_REG_1_CONF) {
            break;
        }
    }
    if (i == 100) {
        return WINC_ERR_CONF;
    }
    return winc_reg_write(WINC_REG_BOOTROM, WINC_START_FIRMWARE) != 0 ? WINC_ERR_BUS : WINC_OK;
}

/* firmware up: interrupts, version, MAC (2.4 steps 5-7, 2.5) */
static winc_err_t firmware_up(void)
{
    uint32_t v = 0;
    if (winc_reg_write(WINC_REG_NMI_STATE, 0) != 0 || enable_interrupts() != 0) {
        return WINC_ERR_BUS;
    }
    if (winc_reg_read(WINC_REG_NMI_REV, &v) == 0) {
        g_winc.fw[0] = (uint8_t)((v >> 8) & 0xFFu);
        g_winc.fw[1] = (uint8_t)((v >> 4) & 0xFu);
        g_winc.fw[2] = (uint8_t)(v & 0xFu);
        g_winc.min_drv[0] = (uint8_t)((v >> 24) & 0xFFu);
        g_winc.min_drv[1] = (uint8_t)((v >> 20) & 0xFu);
        g_winc.min_drv[2] = (uint8_t)((v >> 16) & 0xFu);
    }
    if (winc_read_mac(g_winc.mac) == 0) {
        g_winc.mac_valid = true;
    }
    return WINC_OK;
}

winc_err_t winc_start_begin(void)
{
    g_winc.start_failed = false;
    winc_err_t e = bus_up();
    if (e != WINC_OK) {
        g_winc.start_failed = true;
        return e;
    }
    g_winc.starting = true;
    boot_stage(BOOT_EFUSE);
    return WINC_OK;
}

winc_err_t winc_start_poll(void)
{
    if (!g_winc.starting) {
        return g_winc.running ? WINC_OK : WINC_ERR_BUS;
    }
    uint32_t now = hal_millis();
    uint32_t period = s_boot.stage == BOOT_FIRMWARE ? 2u : 1u; /* the reference hosts' poll rates */
    if ((uint32_t)(now - s_boot.last_poll) < period && s_boot.stage != BOOT_EFUSE) {
        return WINC_ERR_PENDING;
    }
    s_boot.last_poll = now;
    uint32_t v = 0;
    switch (s_boot.stage) {
    case BOOT_EFUSE:
        if (winc_reg_read(WINC_REG_EFUSE_CTRL, &v) == 0 && (v & 0x80000000u)) {
            if (winc_reg_read(WINC_REG_WAIT_FOR_HOST, &v) != 0) {
                return boot_fail(WINC_ERR_BUS);
            }
            if ((v & 1u) == 0) {
                boot_stage(BOOT_BOOTROM);
                return WINC_ERR_PENDING;
            }
            winc_err_t e = start_firmware();
            if (e != WINC_OK) {
                return boot_fail(e);
            }
            boot_stage(BOOT_FIRMWARE);
        } else if ((uint32_t)(now - s_boot.since) > EFUSE_TIMEOUT_MS) {
            return boot_fail(WINC_ERR_BOOTROM);
        }
        return WINC_ERR_PENDING;
    case BOOT_BOOTROM:
        if (winc_reg_read(WINC_REG_BOOTROM, &v) == 0 && v == WINC_FINISH_BOOT_ROM) {
            winc_err_t e = start_firmware();
            if (e != WINC_OK) {
                return boot_fail(e);
            }
            boot_stage(BOOT_FIRMWARE);
        } else if ((uint32_t)(now - s_boot.since) > BOOTROM_TIMEOUT_MS) {
            return boot_fail(WINC_ERR_BOOTROM);
        }
        return WINC_ERR_PENDING;
    case BOOT_FIRMWARE:
        if (winc_reg_read(WINC_REG_NMI_STATE, &v) == 0 && v == WINC_FINISH_INIT_STATE) {
            winc_err_t e = firmware_up();
            if (e != WINC_OK) {
                return boot_fail(e);
            }
            s_boot.stage = BOOT_IDLE;
            g_winc.starting = false;
            g_winc.running = true;
            return WINC_OK;
        }
        if ((uint32_t)(now - s_boot.since) > FW_INIT_TIMEOUT_MS) {
            return boot_fail(WINC_ERR_FW_START);
        }
        return WINC_ERR_PENDING;
    default:
        return boot_fail(WINC_ERR_BUS);
    }
}

winc_err_t winc_start(void)
{
    if (!g_winc.starting) {
        winc_err_t e = winc_start_begin();
        if (e != WINC_OK) {
            return e;
        }
    }
    for (;;) {
        winc_err_t e = winc_start_poll();
        if (e != WINC_ERR_PENDING) {
            return e;
        }
        wait_step(); /* serves the serial link (HELLO, PING, GET_STATS, CANCEL) meanwhile */
        hal_delay_ms(1);
    }
}

int winc_read_mac(uint8_t mac[6])
{
    /* 2.5: GP_REG_2 -> 16-bit pointer to {u32 mac_info, u32 rev_info} at 0x30000 | p; mac_info's
     * high half is the offset of the MAC in OTP (0: none), the low half the MAC in use. The
     * module's own address is the OTP one; a host may have set another for use. */
    uint32_t p;
    uint8_t info[8];
    if (winc_reg_read(WINC_REG_GP_REG_2, &p) != 0 || (p & 0xFFFFu) == 0 ||
        winc_block_read(WINC_INFO_BASE | (p & 0xFFFFu), info, sizeof info) != 0) {
        return -1;
    }
    uint32_t otp = (uint32_t)info[2] | ((uint32_t)info[3] << 8);
    uint32_t in_use = (uint32_t)info[0] | ((uint32_t)info[1] << 8);
    uint32_t off = otp ? otp : in_use;
    if (off == 0 || winc_block_read(WINC_INFO_BASE | off, mac, 6) != 0) {
        return -1;
    }
    for (int i = 0; i < 6; i++) {
        if (mac[i] != 0) {
            return 0;
        }
    }
    return -1; /* all zero: no address */
}

winc_err_t winc_enter_download_mode(void)
{
    winc_err_t e = bus_up();
    if (e != WINC_OK) {
        return e;
    }
    /* global chip reset (no SPI response), 50 ms, then the SPI protocol is set up again (4.1) */
    winc_reg_write_noresp(WINC_REG_GLB_RESET, 0);
    hal_delay_ms(50);
    if (winc_spi_init() != 0) {
        return WINC_ERR_BUS;
    }
    uint32_t v;
    /* cpu halt: set bit0 of BOOT_RESET_MUX, make sure the CPU-run bit of GLB_RESET is clear (2.7) */
    if (winc_reg_read(WINC_REG_BOOT_RESET_MUX, &v) != 0 || winc_reg_write(WINC_REG_BOOT_RESET_MUX, v | 1u) != 0) {
        return WINC_ERR_BUS;
    }
    if (winc_reg_read(WINC_REG_GLB_RESET, &v) != 0) {
        return WINC_ERR_BUS;
    }
    if (v & WINC_GLB_RESET_CPU_RUN) {
        winc_reg_write_noresp(WINC_REG_GLB_RESET, v & ~WINC_GLB_RESET_CPU_RUN);
    }
    if (winc_reg_write(WINC_REG_ROM_IRQ_MASK, 0) != 0 || enable_interrupts() != 0) {
        return WINC_ERR_BUS;
    }
    uint32_t id;
    (void)wflash_wake(); /* the flash may have been left in deep power-down */
    if (wflash_jedec(&id) == 0) {
        g_winc.flash_size = wflash_size_from_jedec(id);
    }
    g_winc.download_mode = true;
    return WINC_OK;
}
