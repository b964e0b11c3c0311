/*
 * WINC1500 SPI transport (winc-host-driver.md section 1): command framing with
 * optional CRC7, response/data-start scanning, CRC16 on data, register and block
 * access, error recovery with the SPI reset command. One CS window per command.
 */
#include "winc_spi.h"
#include <string.h>
#include "crc.h"
#include "hal.h"
#include "winc_regs.h"

#define SCAN_LIMIT 16u   /* filler bytes tolerated before a response / data start */
#define RETRIES 10

static bool s_crc_on = true;

bool winc_spi_crc_on(void) { return s_crc_on; }
void winc_spi_assume_crc(bool on) { s_crc_on = on; }

static uint8_t rx1(void)
{
    uint8_t b;
    hal_winc_spi_xfer(NULL, &b, 1);
    return b;
}

static void send_cmd(uint8_t *cmd, size_t n)
{
    if (s_crc_on) {
        cmd[n] = (uint8_t)(crc7(0x7F, cmd, n) << 1);
        n++;
    }
    hal_winc_spi_xfer(cmd, NULL, n);
}

/* Scan for R0 == op, then R1. Returns 0 if R1 == 0 (or if lenient). */
static int read_response(uint8_t op, bool lenient)
{
    uint8_t b = 0;
    unsigned i;
    for (i = 0; i < SCAN_LIMIT; i++) {
        b = rx1();
        if (b == op) {
            break;
        }
    }
    uint8_t state = rx1();
    if (lenient) {
        return 0;
    }
    if (i == SCAN_LIMIT || state != 0) {
        return -1;
    }
    return 0;
}

/* Data packet: filler, 0xF? start, n bytes, then the two CRC16 bytes when CRC is on. Those are read
 * and discarded, as the reference host drivers do: what a real chip puts there is not relied upon
 * (the CRC-mode probe reads its first register this way, before CRC is turned off). */
static int read_data(uint8_t *buf, size_t n, bool with_crc)
{
    unsigned i;
    uint8_t b = 0;
    for (i = 0; i < SCAN_LIMIT * 4u; i++) {
        b = rx1();
        if ((b & 0xF0u) == WINC_DATA_START_MASK) {
            break;
        }
    }
    if ((b & 0xF0u) != WINC_DATA_START_MASK) {
        return -1;
    }
    hal_winc_spi_xfer(NULL, buf, n);
    if (with_crc) {
        hal_winc_spi_xfer(NULL, NULL, 2);
    }
    return 0;
}

static void spi_reset_cmd(void)
{
    uint8_t cmd[5] = {WINC_CMD_RESET, 0xFF, 0xFF, 0xFF};
    hal_winc_cs(true);
    send_cmd(cmd, 4);
    (void)rx1(); /* extra byte before the response of special commands */
    (void)read_response(WINC_CMD_RESET, true);
    hal_winc_cs(false);
}

static void recover(void)
{
    hal_delay_ms(1);
    spi_reset_cmd();
    hal_delay_ms(1);
}

static int reg_read_once(uint32_t addr, uint32_t *val)
{
    uint8_t cmd[6];
    size_t n;
    bool clockless = addr <= WINC_READ_CLOCKLESS_MAX;
    if (clockless) {
        cmd[0] = WINC_CMD_INTERNAL_READ;
        cmd[1] = (uint8_t)((addr >> 8) | WINC_CLOCKLESS_BIT);
        cmd[2] = (uint8_t)addr;
        cmd[3] = 0;
        n = 4;
    } else {
        cmd[0] = WINC_CMD_SINGLE_READ;
        cmd[1] = (uint8_t)(addr >> 16);
        cmd[2] = (uint8_t)(addr >> 8);
        cmd[3] = (uint8_t)addr;
        n = 4;
    }
    uint8_t d[4];
    hal_winc_cs(true);
    send_cmd(cmd, n);
    int r = read_response(cmd[0], clockless);
    if (r == 0) {
        /* clockless reads carry no CRC16 even with CRC on (reference hosts) */
        r = read_data(d, 4, s_crc_on && !clockless);
    }
    hal_winc_cs(false);
    if (r == 0) {
        *val = (uint32_t)d[0] | ((uint32_t)d[1] << 8) | ((uint32_t)d[2] << 16) | ((uint32_t)d[3] << 24);
    }
    return r;
}

int winc_reg_read(uint32_t addr, uint32_t *val)
{
    for (int i = 0; i < RETRIES; i++) {
        if (reg_read_once(addr, val) == 0) {
            return 0;
        }
        recover();
    }
    return -1;
}

static int reg_write_once(uint32_t addr, uint32_t val, bool expect_response)
{
    uint8_t cmd[10];
    size_t n;
    bool clockless = addr <= WINC_WRITE_CLOCKLESS_MAX;
    if (clockless) {
        cmd[0] = WINC_CMD_INTERNAL_WRITE;
        cmd[1] = (uint8_t)((addr >> 8) | WINC_CLOCKLESS_BIT);
        cmd[2] = (uint8_t)addr;
        n = 3;
    } else {
        cmd[0] = WINC_CMD_SINGLE_WRITE;
        cmd[1] = (uint8_t)(addr >> 16);
        cmd[2] = (uint8_t)(addr >> 8);
        cmd[3] = (uint8_t)addr;
        n = 4;
    }
    cmd[n++] = (uint8_t)(val >> 24);
    cmd[n++] = (uint8_t)(val >> 16);
    cmd[n++] = (uint8_t)(val >> 8);
    cmd[n++] = (uint8_t)val;
    hal_winc_cs(true);
    send_cmd(cmd, n);
    int r = expect_response ? read_response(cmd[0], clockless) : 0;
    hal_winc_cs(false);
    return r;
}

int winc_reg_write(uint32_t addr, uint32_t val)
{
    for (int i = 0; i < RETRIES; i++) {
        if (reg_write_once(addr, val, true) == 0) {
            return 0;
        }
        recover();
    }
    return -1;
}

void winc_reg_write_noresp(uint32_t addr, uint32_t val)
{
    (void)reg_write_once(addr, val, false);
}

static int block_read_once(uint32_t addr, uint8_t *buf, size_t n)
{
    uint8_t cmd[8] = {WINC_CMD_DMA_EXT_READ, (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr,
                      (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    hal_winc_cs(true);
    send_cmd(cmd, 7);
    int r = read_response(cmd[0], false);
    if (r == 0) {
        r = read_data(buf, n, s_crc_on);
    }
    hal_winc_cs(false);
    return r;
}

static int block_write_once(uint32_t addr, const uint8_t *buf, size_t n)
{
    uint8_t cmd[8] = {WINC_CMD_DMA_EXT_WRITE, (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr,
                      (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    hal_winc_cs(true);
    send_cmd(cmd, 7);
    int r = read_response(cmd[0], false);
    if (r == 0) {
        uint8_t start = WINC_DATA_START_MASK | WINC_DATA_ORDER_LAST;
        hal_winc_spi_xfer(&start, NULL, 1);
        hal_winc_spi_xfer(buf, NULL, n);
        if (s_crc_on) {
            uint16_t c = crc16_ccitt(0xFFFF, buf, n);
            uint8_t cb[2] = {(uint8_t)(c >> 8), (uint8_t)c};
            hal_winc_spi_xfer(cb, NULL, 2);
        }
        /* data response: scan for C3 followed by 00 */
        r = -1;
        uint8_t prev = 0;
        for (unsigned i = 0; i < SCAN_LIMIT; i++) {
            uint8_t b = rx1();
            if (prev == WINC_DATA_RSP_LAST && b == 0x00) {
                r = 0;
                break;
            }
            prev = b;
        }
    }
    hal_winc_cs(false);
    return r;
}

int winc_block_read(uint32_t addr, uint8_t *buf, size_t n)
{
    uint8_t pad[2];
    while (n > 0) {
        size_t chunk = n > WINC_SPI_MAX_BLOCK ? WINC_SPI_MAX_BLOCK : n;
        uint8_t *dst = buf;
        size_t len = chunk;
        if (chunk == 1) { /* single-byte DMA transfers are padded to 2 */
            dst = pad;
            len = 2;
        }
        int ok = -1;
        for (int i = 0; i < RETRIES && ok != 0; i++) {
            ok = block_read_once(addr, dst, len);
            if (ok != 0) {
                recover();
            }
        }
        if (ok != 0) {
            return -1;
        }
        if (chunk == 1) {
            buf[0] = pad[0];
        }
        buf += chunk;
        addr += (uint32_t)chunk;
        n -= chunk;
    }
    return 0;
}

int winc_block_write(uint32_t addr, const uint8_t *buf, size_t n)
{
    uint8_t pad[2];
    while (n > 0) {
        size_t chunk = n > WINC_SPI_MAX_BLOCK ? WINC_SPI_MAX_BLOCK : n;
        const uint8_t *src = buf;
        size_t len = chunk;
        if (chunk == 1) {
            /* padded to 2: the byte after is written too; read it first to keep it */
            if (winc_block_read(addr + 1u, &pad[1], 1) != 0) {
                return -1;
            }
            pad[0] = buf[0];
            src = pad;
            len = 2;
        }
        int ok = -1;
        for (int i = 0; i < RETRIES && ok != 0; i++) {
            ok = block_write_once(addr, src, len);
            if (ok != 0) {
                recover();
            }
        }
        if (ok != 0) {
            return -1;
        }
        buf += chunk;
        addr += (uint32_t)chunk;
        n -= chunk;
    }
    return 0;
}

int winc_spi_init(void)
{
    uint32_t v;
    /* 1.7: try with CRC on; if that fails the WINC was left with CRC off */
    s_crc_on = true;
    if (winc_reg_read(WINC_REG_SPI_PROTOCOL, &v) != 0) {
        s_crc_on = false;
        if (winc_reg_read(WINC_REG_SPI_PROTOCOL, &v) != 0) {
            return -1;
        }
    } else {
        v &= ~(WINC_PROTOCOL_CRC7 | WINC_PROTOCOL_CRC16);
        v = (v & ~WINC_PROTOCOL_PKT_MASK) | WINC_PROTOCOL_PKT_8K;
        if (winc_reg_write(WINC_REG_SPI_PROTOCOL, v) != 0) {
            return -1;
        }
        s_crc_on = false;
    }
    uint32_t id;
    if (winc_reg_read(WINC_REG_CHIPID, &id) != 0) {
        return -1;
    }
    return 0;
}
