#include "winc_flash.h"
#include "hal.h"
#include "winc_flash_layout.h"
#include "winc_regs.h"
#include "winc_spi.h"

#define READ_CHUNK 1024u

static uint32_t buf1(uint8_t op, uint32_t a)
{
    return (uint32_t)op | (((a >> 16) & 0xFFu) << 8) | (((a >> 8) & 0xFFu) << 16) | ((a & 0xFFu) << 24);
}

/* one controller transaction: DATA_CNT, BUF1, (BUF2), BUF_DIR, DMA_ADDR, CMD_CNT, then TR_DONE */
static int xact(uint32_t data_cnt, uint32_t b1, int use_b2, uint32_t b2, uint32_t dir, uint32_t dma, uint32_t cmd_cnt)
{
    if (winc_reg_write(WINC_FLASH_DATA_CNT, data_cnt) != 0 || winc_reg_write(WINC_FLASH_BUF1, b1) != 0) {
        return -1;
    }
    if (use_b2 && winc_reg_write(WINC_FLASH_BUF2, b2) != 0) {
        return -1;
    }
    if (winc_reg_write(WINC_FLASH_BUF_DIR, dir) != 0 || winc_reg_write(WINC_FLASH_DMA_ADDR, dma) != 0 ||
        winc_reg_write(WINC_FLASH_CMD_CNT, cmd_cnt) != 0) {
        return -1;
    }
    for (int i = 0; i < 1000; i++) {
        uint32_t v;
        if (winc_reg_read(WINC_FLASH_TR_DONE, &v) != 0) {
            return -1;
        }
        if (v == 1u) {
            return 0;
        }
    }
    return -1;
}

static int simple(uint8_t op) { return xact(0, op, 0, 0, 0x01, 0, 0x81); }

static int read_status(uint8_t *st)
{
    uint32_t v;
    if (xact(4, WINC_FLASH_OP_READ_STATUS, 0, 0, 0x01, WINC_REG_HOST_RCV_CTRL_1, 0x81) != 0 ||
        winc_reg_read(WINC_REG_HOST_RCV_CTRL_1, &v) != 0) {
        return -1;
    }
    *st = (uint8_t)v;
    return 0;
}

static int wait_ready(uint32_t timeout_ms)
{
    uint32_t start = hal_millis();
    for (;;) {
        uint8_t st;
        if (read_status(&st) != 0) {
            return -1;
        }
        if (!(st & 1u)) {
            return 0;
        }
        if ((uint32_t)(hal_millis() - start) > timeout_ms) {
            return -1;
        }
        hal_delay_ms(1);
    }
}

int wflash_wake(void)
{
    uint32_t mux;
    if (winc_reg_read(WINC_REG_PIN_MUX_1, &mux) != 0) {
        return -1;
    }
    mux &= ~(0x7777u << 12);
    if (winc_reg_write(WINC_REG_PIN_MUX_1, mux | (0x1111u << 12)) != 0 || simple(WINC_FLASH_OP_RELEASE_PD) != 0) {
        return -1;
    }
    hal_delay_ms(1); /* tRES1: a few tens of microseconds before the next command */
    return winc_reg_write(WINC_REG_PIN_MUX_1, mux | (0x0010u << 12));
}

int wflash_jedec(uint32_t *id)
{
    if (xact(4, WINC_FLASH_OP_JEDEC, 0, 0, 0x01, WINC_REG_HOST_RCV_CTRL_1, 0x81) != 0) {
        return -1;
    }
    if (winc_reg_read(WINC_REG_HOST_RCV_CTRL_1, id) != 0 || *id == 0 || *id == 0xFFFFFFFFu) {
        return -1;
    }
    return 0;
}

uint32_t wflash_size_from_jedec(uint32_t id)
{
    uint32_t c = (id >> 16) & 0xFFu;
    if (c < 0x11u || c > 0x18u) {
        return 0;
    }
    return (1u << (c - 0x11u)) * (1024u * 1024u / 8u);
}

int wflash_read(uint32_t off, uint8_t *buf, size_t n)
{
    while (n) {
        size_t chunk = n > READ_CHUNK ? READ_CHUNK : n;
        if (xact((uint32_t)chunk, buf1(WINC_FLASH_OP_FAST_READ, off), 1, 0xA5u, 0x1F, WINC_FLASH_BOUNCE_ADDR, 0x85) != 0 ||
            winc_block_read(WINC_FLASH_BOUNCE_ADDR, buf, chunk) != 0) {
            return -1;
        }
        off += (uint32_t)chunk;
        buf += chunk;
        n -= chunk;
    }
    return 0;
}

int wflash_erase(uint32_t off, size_t n)
{
    uint32_t end = off + (uint32_t)n;
    for (uint32_t a = off & ~(WINC_FLASH_SECTOR_SIZE - 1u); a < end; a += WINC_FLASH_SECTOR_SIZE) {
        if (simple(WINC_FLASH_OP_WREN) != 0 ||
            xact(0, buf1(WINC_FLASH_OP_SECTOR_ERASE, a), 0, 0, 0x0F, 0, 0x84) != 0 || wait_ready(500) != 0) {
            return -1;
        }
    }
    return 0;
}

int wflash_write(uint32_t off, const uint8_t *buf, size_t n)
{
    while (n) {
        size_t room = WINC_FLASH_PAGE_SIZE - (off % WINC_FLASH_PAGE_SIZE);
        size_t chunk = n < room ? n : room;
        if (winc_block_write(WINC_FLASH_BOUNCE_ADDR, buf, chunk) != 0 || simple(WINC_FLASH_OP_WREN) != 0 ||
            xact(0, buf1(WINC_FLASH_OP_PAGE_PROGRAM, off), 0, 0, 0x0F, WINC_FLASH_BOUNCE_ADDR,
                 0x84u | (((uint32_t)chunk & 0xFFFFFu) << 8)) != 0 ||
            wait_ready(100) != 0 || simple(WINC_FLASH_OP_WRDI) != 0) {
            return -1;
        }
        off += (uint32_t)chunk;
        buf += chunk;
        n -= chunk;
    }
    return 0;
}
