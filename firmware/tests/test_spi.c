/* SPI transport and HIF against byte transcripts (winc-host-driver.md 1.3, 1.9) and the model. */
#include <string.h>
#include "test.h"
#include "crc.h"
#include "hal.h"
#include "hal_host.h"
#include "winc_drv.h"
#include "winc_flash.h"
#include "winc_hif.h"
#include "winc_regs.h"
#include "winc_spi.h"
#include "winc_model.h"

static uint8_t s_miso[256], s_mosi[256];
static size_t s_miso_n, s_pos;

static void t_cs(bool sel) { (void)sel; }
static uint8_t t_xfer(uint8_t mosi)
{
    uint8_t r = s_pos < s_miso_n ? s_miso[s_pos] : 0;
    if (s_pos < sizeof s_mosi) {
        s_mosi[s_pos] = mosi;
    }
    s_pos++;
    return r;
}
static bool t_irq_take(void) { return false; }
static bool t_irq_level(void) { return true; }
static const hal_spi_backend_t k_transcript = {t_cs, t_xfer, t_irq_take, t_irq_level, NULL};

static void script(const char *miso)
{
    memset(s_mosi, 0, sizeof s_mosi);
    s_miso_n = (size_t)test_hex(miso, s_miso, sizeof s_miso);
    s_pos = 0;
    hal_host_set_spi_backend(&k_transcript);
}

static int mosi_is(const char *hex)
{
    uint8_t e[64];
    int n = test_hex(hex, e, sizeof e);
    if (memcmp(s_mosi, e, (size_t)n) != 0) {
        printf("    mosi:");
        for (int i = 0; i < n + 4; i++) {
            printf(" %02X", s_mosi[i]);
        }
        printf("\n");
        return 0;
    }
    return 1;
}

TEST(spi_read_chip_id_crc_off)
{
    uint32_t v = 0;
    winc_spi_assume_crc(false);
    script("00 00 00 00  CA 00  F3 A0 03 10 00");
    CHECK_EQ(winc_reg_read(WINC_REG_CHIPID, &v), 0);
    CHECK_EQ(v, 0x001003A0u);
    CHECK(mosi_is("CA 00 10 00 00 00 00 00 00 00 00"));
    hal_host_set_spi_backend(NULL);
}

TEST(spi_read_tolerates_fillers)
{
    uint32_t v = 0;
    winc_spi_assume_crc(false);
    script("00 00 00 00  00 00 CA 00  00 00 00 F3 78 56 34 12");
    CHECK_EQ(winc_reg_read(0x1070, &v), 0);
    CHECK_EQ(v, 0x12345678u);
    hal_host_set_spi_backend(NULL);
}

TEST(spi_read_with_crc7_and_crc16)
{
    uint32_t v = 0;
    winc_spi_assume_crc(true);
    /* CRC16/CCITT-FALSE of 2E 00 00 00 sent big-endian after the data */
    uint8_t d[4] = {0x2E, 0, 0, 0};
    uint16_t c = crc16_ccitt(0xFFFF, d, 4);
    char m[128];
    snprintf(m, sizeof m, "00 00 00 00 00  CA 00 F3 2E 00 00 00 %02X %02X", c >> 8, c & 0xFF);
    script(m);
    CHECK_EQ(winc_reg_read(WINC_REG_SPI_PROTOCOL, &v), 0);
    CHECK_EQ(v, 0x2Eu);
    CHECK(mosi_is("CA 00 E8 24 BC"));
    winc_spi_assume_crc(false);
    hal_host_set_spi_backend(NULL);
}

TEST(spi_read_discards_crc16_bytes)
{
    /* the two bytes after the data are read and dropped, whatever they hold */
    uint32_t v = 0;
    winc_spi_assume_crc(true);
    script("00 00 00 00 00  CA 00 F3 2E 00 00 00 00 00  00 00 00 00 00  CA 00 F3 2F 00 00 00 12 34");
    CHECK_EQ(winc_reg_read(WINC_REG_SPI_PROTOCOL, &v), 0);
    CHECK_EQ(v, 0x2Eu);
    CHECK_EQ(s_pos, 14u); /* one attempt: no retry because of the bytes */
    winc_spi_assume_crc(false);
    hal_host_set_spi_backend(NULL);
}

/* the model behind a tap that records what it answers to the CRC-on probe of 0xE824 */
static uint8_t s_tap[32];
static size_t s_tap_n;
static void tap_cs(bool sel) { wm_cs(sel); }
static uint8_t tap_xfer(uint8_t mosi)
{
    uint8_t r = wm_spi_byte(mosi);
    if (s_tap_n < sizeof s_tap) {
        s_tap[s_tap_n++] = r;
    }
    return r;
}
static const hal_spi_backend_t k_tap = {tap_cs, tap_xfer, wm_irq_edge_take, wm_irq_level, wm_poll};

TEST(model_crc_probe_does_not_depend_on_crc16)
{
    wm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    wm_init(&cfg);
    hal_host_set_spi_backend(NULL);
    winc_hw_reset();                 /* CRC on after a WINC reset */
    hal_host_set_spi_backend(&k_tap);
    s_tap_n = 0;
    CHECK_EQ(winc_spi_init(), 0);     /* probe with CRC on, then CRC off */
    CHECK(!winc_spi_crc_on());
    /* the probe's answer: ... CA 00 F3 d0 d1 d2 d3 c0 c1, where c0 c1 is not the CRC16 of d */
    size_t i = 0;
    while (i + 9 < s_tap_n && !(s_tap[i] == 0xCA && s_tap[i + 1] == 0x00 && s_tap[i + 2] == 0xF3)) {
        i++;
    }
    CHECK(i + 9 <= s_tap_n);
    uint16_t sent = (uint16_t)((s_tap[i + 7] << 8) | s_tap[i + 8]);
    CHECK(sent != crc16_ccitt(0xFFFF, s_tap + i + 3, 4));
    hal_host_set_spi_backend(NULL);
}

TEST(spi_write_register)
{
    winc_spi_assume_crc(false);
    script("00 00 00 00 00 00 00 00  C9 00");
    CHECK_EQ(winc_reg_write(WINC_REG_HOST_RCV_CTRL_2, 2), 0);
    CHECK(mosi_is("C9 00 10 78 00 00 00 02"));
    /* with CRC7 on, the reference frame of H3-LITE winc_bus_init */
    winc_spi_assume_crc(true);
    script("00 00 00 00 00 00 00 00 00  C9 00");
    CHECK_EQ(winc_reg_write(WINC_REG_SPI_PROTOCOL, 0x52), 0);
    CHECK(mosi_is("C9 00 E8 24 00 00 00 52 5C"));
    winc_spi_assume_crc(false);
    hal_host_set_spi_backend(NULL);
}

TEST(spi_clockless_write_ignores_response)
{
    winc_spi_assume_crc(false);
    script("00 00 00 00 00 00 00  5A A5");
    CHECK_EQ(winc_reg_write(WINC_REG_WAKE_CLK, 2), 0);
    CHECK(mosi_is("C3 80 01 00 00 00 02"));
    hal_host_set_spi_backend(NULL);
}

TEST(spi_block_write_and_read)
{
    const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    winc_spi_assume_crc(false);
    script("00 00 00 00 00 00 00  C7 00  00 00 00 00 00 00 00 00 00  00 C3 00");
    CHECK_EQ(winc_block_write(0x0D1234, data, 8), 0);
    CHECK(mosi_is("C7 0D 12 34 00 00 08 00 00 F3 01 02 03 04 05 06 07 08"));
    uint8_t got[8];
    script("00 00 00 00 00 00 00  C8 00  00 F3 01 02 03 04 05 06 07 08");
    CHECK_EQ(winc_block_read(0x0D1234, got, 8), 0);
    CHECK(memcmp(got, data, 8) == 0);
    CHECK(mosi_is("C8 0D 12 34 00 00 08"));
    hal_host_set_spi_backend(NULL);
}

TEST(spi_error_response_triggers_reset_and_retry)
{
    uint32_t v = 0;
    winc_spi_assume_crc(false);
    /* 1st attempt: state byte 0x03 (CRC error) -> reset command CF FF FF FF -> retry succeeds */
    script("00 00 00 00  CA 03   00 00 00 00 00 CF 00   00 00 00 00  CA 00 F3 01 00 00 00");
    CHECK_EQ(winc_reg_read(WINC_REG_CHIPID, &v), 0);
    CHECK_EQ(v, 1u);
    CHECK(s_mosi[6] == 0xCF && s_mosi[7] == 0xFF && s_mosi[8] == 0xFF && s_mosi[9] == 0xFF);
    hal_host_set_spi_backend(NULL);
}

static uint8_t s_last_dns[4];
static int s_dns_seen;
static void on_ip(uint8_t op, uint32_t addr, uint16_t len)
{
    uint8_t b[68];
    if (op == SOCKET_CMD_DNS_RESOLVE && len >= 68 && hif_read(addr, b, 68) == 0) {
        memcpy(s_last_dns, b + 64, 4);
        s_dns_seen = 1;
    }
}

TEST(model_boot_hif_and_flash)
{
    wm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    memset(wm_flash(), 0xFF, WM_FLASH_SIZE);
    wm_init(&cfg);
    hal_host_set_spi_backend(NULL);
    /* download mode: JEDEC size, erase/program/read with NOR semantics */
    CHECK_EQ(winc_enter_download_mode(), WINC_OK);
    CHECK_EQ(g_winc.chip_id, 0x1503A0u);
    CHECK_EQ(g_winc.flash_size, 512u * 1024u);
    uint8_t w[300], r[300];
    for (int i = 0; i < 300; i++) {
        w[i] = (uint8_t)(i * 7);
    }
    CHECK_EQ(wflash_erase(0x4000, 4096), 0);
    CHECK_EQ(wflash_write(0x40F0, w, 300), 0); /* crosses a page boundary */
    CHECK_EQ(wflash_read(0x40F0, r, 300), 0);
    CHECK(memcmp(w, r, 300) == 0);
    CHECK_EQ(wm_flash()[0x40EF], 0xFF);
    /* normal boot, version, HIF round trip (DNS needs Wi-Fi: expect the 0.0.0.0 answer) */
    CHECK_EQ(winc_start(), WINC_OK);
    CHECK_EQ(g_winc.fw[0], 19);
    CHECK_EQ(g_winc.fw[1], 6);
    CHECK_EQ(g_winc.fw[2], 1);
    hif_enable(true);
    hif_set_handler(HIF_GID_IP, on_ip);
    s_dns_seen = 0;
    CHECK_EQ(hif_send(HIF_GID_IP, SOCKET_CMD_DNS_RESOLVE, (const uint8_t *)"localhost", 10, NULL, 0, 0), 0);
    for (int i = 0; i < 200 && !s_dns_seen; i++) {
        wait_step();
        hal_delay_ms(1);
    }
    CHECK(s_dns_seen);
    CHECK_EQ(s_last_dns[0], 0);
    hif_enable(false);
}

TEST(model_mac_from_otp)
{
    /* the module's own address is the OTP one, even when another is in use (2.5) */
    wm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    static const uint8_t otp[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, used[6] = {0xF8, 0xF0, 0x05, 0xAA, 0xBB, 0xCC};
    memcpy(cfg.otp_mac, otp, 6);
    memcpy(cfg.mac_in_use, used, 6);
    wm_init(&cfg);
    hal_host_set_spi_backend(NULL);
    g_winc.mac_valid = false;
    CHECK_EQ(winc_start(), WINC_OK);
    CHECK(g_winc.mac_valid);
    CHECK(memcmp(g_winc.mac, otp, 6) == 0);
    CHECK_EQ(winc_enter_download_mode(), WINC_OK); /* firmware halted: the learnt address stays */
    CHECK(g_winc.mac_valid);
    CHECK(memcmp(g_winc.mac, otp, 6) == 0);
}

TEST(model_flash_deep_power_down_needs_wake)
{
    /* a flash left in deep power-down answers all ones to JEDEC until 0xAB wakes it */
    wm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flash_asleep = true;
    wm_init(&cfg);
    hal_host_set_spi_backend(NULL);
    winc_hw_reset();
    CHECK_EQ(winc_spi_init(), 0);
    uint32_t id = 0;
    CHECK(wflash_jedec(&id) != 0);
    CHECK(wm_flash_asleep());
    CHECK_EQ(wflash_wake(), 0);
    CHECK(!wm_flash_asleep());
    CHECK_EQ(wflash_jedec(&id), 0);
    CHECK_EQ(id, 0x001320C2u);
    /* download mode wakes it by itself */
    wm_init(&cfg);
    CHECK(wm_flash_asleep());
    g_winc.flash_size = 0;
    CHECK_EQ(winc_enter_download_mode(), WINC_OK);
    CHECK_EQ(g_winc.flash_size, 512u * 1024u);
    CHECK(!wm_flash_asleep());
}

TEST(spi_init_finds_crc_already_off)
{
    /* host reset without a WINC reset: the chip still has CRC off (1.7 step 2) */
    wm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    wm_init(&cfg);
    hal_host_set_spi_backend(NULL);
    CHECK_EQ(winc_start(), WINC_OK);
    CHECK(!winc_spi_crc_on());
    winc_spi_assume_crc(true);
    CHECK_EQ(winc_spi_init(), 0);
    CHECK(!winc_spi_crc_on());
    uint32_t id = 0;
    CHECK_EQ(winc_reg_read(WINC_REG_CHIPID, &id), 0);
    CHECK_EQ(id, WINC_CHIPID_3A0_RAW);
}
