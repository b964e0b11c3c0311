/* WINC1500 model: SPI slave, registers, boot, HIF engine, SPI-flash controller. */
#include "winc_model.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "crc.h"
#include "winc_regs.h"

#define RAM_D_BASE 0xD0000u
#define RAM_D_SIZE 0x10000u
#define RAM_I_BASE WINC_INFO_BASE
#define RAM_I_SIZE 0x1000u
#define HIF_IN_ADDR  0xD8000u
#define HIF_OUT_ADDR 0xDC000u
#define JEDEC_ID 0x001320C2u   /* 4 Mbit */
#define OUTQ_SIZE 32768u
#define MSGQ_LEN 32u

typedef struct {
    uint8_t buf[HIF_MAX_PACKET + 16];
    uint16_t len;
} msg_t;

static struct {
    wm_config_t cfg;
    uint8_t flash[WM_FLASH_SIZE];
    uint8_t ram_d[RAM_D_SIZE];
    uint8_t ram_i[RAM_I_SIZE];
    struct { uint32_t addr, val; } regs[128];
    int nregs;
    bool powered;
    bool crc_on;
    uint32_t proto;
    uint32_t bootrom_at, fw_start_at;
    bool bootrom_ready, fw_running, fw_starting;
    /* spi */
    enum { S_IDLE, S_CMD, S_WSTART, S_WDATA, S_WCRC } st;
    uint8_t cmd[16];
    unsigned cmd_len, cmd_need;
    uint32_t waddr, wlen, wdone, wpkt_left;
    uint8_t wcrc_n;
    uint8_t outq[OUTQ_SIZE];
    uint32_t oh, ot;
    /* hif */
    msg_t q[MSGQ_LEN];
    unsigned qh, qt;
    bool in_flight;
    bool irq_low, irq_edge;
    /* flash */
    bool wel;
    bool asleep; /* deep power-down: survives WINC resets, only 0xAB wakes it */
} M;

uint32_t wm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

uint8_t *wm_flash(void) { return M.flash; }
bool wm_flash_asleep(void) { return M.asleep; }

void wm_flash_changed(void)
{
    if (!M.cfg.flash_out) {
        return;
    }
    FILE *f = fopen(M.cfg.flash_out, "wb");
    if (f) {
        fwrite(M.flash, 1, sizeof M.flash, f);
        fclose(f);
    }
}

static uint32_t *reg_slot(uint32_t addr, bool create)
{
    for (int i = 0; i < M.nregs; i++) {
        if (M.regs[i].addr == addr) {
            return &M.regs[i].val;
        }
    }
    if (!create || M.nregs >= 128) {
        return NULL;
    }
    M.regs[M.nregs].addr = addr;
    M.regs[M.nregs].val = 0;
    return &M.regs[M.nregs++].val;
}

static uint32_t reg_get(uint32_t addr)
{
    uint32_t *p = reg_slot(addr, false);
    return p ? *p : 0;
}

static void reg_set(uint32_t addr, uint32_t v)
{
    uint32_t *p = reg_slot(addr, true);
    if (p) {
        *p = v;
    }
}

static uint8_t *mem_ptr(uint32_t addr, uint32_t n)
{
    if (addr >= RAM_D_BASE && addr + n <= RAM_D_BASE + RAM_D_SIZE) {
        return M.ram_d + (addr - RAM_D_BASE);
    }
    if (addr >= RAM_I_BASE && addr + n <= RAM_I_BASE + RAM_I_SIZE) {
        return M.ram_i + (addr - RAM_I_BASE);
    }
    return NULL;
}

static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

static void soft_reset_state(void)
{
    M.nregs = 0;
    M.crc_on = true;
    M.proto = 0x2Eu; /* CRC7 + CRC16 on; exact reset value unknown (doc 7.1) */
    M.bootrom_ready = false;
    M.fw_running = false;
    M.fw_starting = false;
    M.bootrom_at = wm_now_ms() + 5u;
    M.st = S_IDLE;
    M.oh = M.ot = 0;
    M.qh = M.qt = 0;
    M.in_flight = false;
    M.irq_low = false;
    M.irq_edge = false;
    M.wel = false;
    reg_set(WINC_REG_GLB_RESET, WINC_GLB_RESET_CPU_RUN);
    reg_set(WINC_REG_EFUSE_CTRL, 0x80000000u);
    reg_set(WINC_REG_CHIPID, WINC_CHIPID_3A0_RAW);
    reg_set(WINC_FLASH_TR_DONE, 1u);
    wm_net_reset();
}

void wm_init(const wm_config_t *cfg)
{
    M.cfg = *cfg;
    if (!M.cfg.fw_version) {
        M.cfg.fw_version = 0x1361u;
    }
    static const uint8_t zero[6], default_mac[6] = {0xF8, 0xF0, 0x05, 0x00, 0x12, 0x34};
    if (memcmp(M.cfg.otp_mac, zero, 6) == 0) {
        memcpy(M.cfg.otp_mac, default_mac, 6);
    }
    if (memcmp(M.cfg.mac_in_use, zero, 6) == 0) {
        memcpy(M.cfg.mac_in_use, M.cfg.otp_mac, 6);
    }
    wm_net_config(&M.cfg);
    M.asleep = M.cfg.flash_asleep;
    soft_reset_state();
}

void wm_set_pins(bool reset_high, bool chip_en_high)
{
    bool on = reset_high && chip_en_high;
    if (on && !M.powered) {
        soft_reset_state();
    }
    if (!on) {
        M.fw_running = false;
        M.irq_low = false;
    }
    M.powered = on;
}

void wm_cs(bool select)
{
    (void)select; /* CS edges are ignored between phases (doc 1.1 simulator advice) */
}

static void out(uint8_t b)
{
    if (M.ot - M.oh < OUTQ_SIZE) {
        M.outq[M.ot++ % OUTQ_SIZE] = b;
    }
}

/* After a data block (and its CRC, when CRC is on): the write ends with the data response, or
 * the next block starts. */
static void end_write_block(void)
{
    if (M.wdone >= M.wlen) {
        M.st = S_IDLE;
        out(0);
        out(WINC_DATA_RSP_LAST);
        out(0);
    } else {
        M.st = S_WSTART;
    }
}

/* The two CRC16 bytes after read data while CRC is on. What a real chip sends there is not known
 * (winc-host-driver.md 7.2; reference hosts read and discard them), so the model sends the CRC with
 * a varying error: a host that checks them fails its CRC-mode probe. */
static void out_crc16(const uint8_t *p, size_t n)
{
    static uint16_t noise = 0x5A5Au;
    noise = (uint16_t)(noise * 75u + 74u) | 1u;
    uint16_t c = (uint16_t)(crc16_ccitt(0xFFFF, p, n) ^ noise);
    out((uint8_t)(c >> 8));
    out((uint8_t)c);
}

/* ---------------- firmware side: HIF ---------------- */

static void deliver_next(void)
{
    if (M.in_flight || M.qh == M.qt || !M.fw_running) {
        return;
    }
    msg_t *m = &M.q[M.qh % MSGQ_LEN];
    M.qh++;
    memcpy(M.ram_d + (HIF_OUT_ADDR - RAM_D_BASE), m->buf, m->len);
    reg_set(WINC_REG_HOST_RCV_CTRL_1, HIF_OUT_ADDR);
    uint32_t size = (m->len + 3u) & ~3u;
    reg_set(WINC_REG_HOST_RCV_CTRL_0, (size << 2) | 1u);
    M.in_flight = true;
    if (reg_get(WINC_REG_INTR_ENABLE) & (1u << 16)) {
        M.irq_low = true;
        M.irq_edge = true;
    }
}

void wm_hif_post(uint8_t gid, uint8_t op, const uint8_t *ctrl, uint16_t ctrl_len, const uint8_t *data,
                 uint16_t data_len, uint16_t data_off)
{
    if (M.qt - M.qh >= MSGQ_LEN) {
        fprintf(stderr, "winc model: HIF queue full, message dropped\n");
        return;
    }
    msg_t *m = &M.q[M.qt % MSGQ_LEN];
    uint16_t plen = data ? (uint16_t)(data_off + data_len) : ctrl_len;
    if (plen + HIF_HDR_SIZE > sizeof m->buf) {
        return;
    }
    memset(m->buf, 0, HIF_HDR_SIZE + plen);
    m->buf[0] = gid;
    m->buf[1] = op;
    m->len = (uint16_t)(HIF_HDR_SIZE + plen);
    m->buf[2] = (uint8_t)m->len;
    m->buf[3] = (uint8_t)(m->len >> 8);
    memcpy(m->buf + HIF_HDR_SIZE, ctrl, ctrl_len);
    if (data) {
        memcpy(m->buf + HIF_HDR_SIZE + data_off, data, data_len);
    }
    M.qt++;
    deliver_next();
}

static void hif_host_message(uint32_t addr)
{
    uint8_t *h = mem_ptr(addr, HIF_HDR_SIZE);
    if (!h) {
        return;
    }
    uint16_t len = (uint16_t)(h[2] | (h[3] << 8));
    if (len < HIF_HDR_SIZE || len > HIF_MAX_PACKET || !mem_ptr(addr, len)) {
        return;
    }
    wm_net_message(h[0], h[1], h + HIF_HDR_SIZE, (uint16_t)(len - HIF_HDR_SIZE));
}

/* ---------------- flash controller ---------------- */

static void flash_exec(uint32_t cmd_cnt)
{
    uint32_t b1 = reg_get(WINC_FLASH_BUF1);
    uint8_t op = (uint8_t)b1;
    uint32_t a = (((b1 >> 8) & 0xFFu) << 16) | (((b1 >> 16) & 0xFFu) << 8) | ((b1 >> 24) & 0xFFu);
    uint32_t dcnt = reg_get(WINC_FLASH_DATA_CNT);
    uint32_t dma = reg_get(WINC_FLASH_DMA_ADDR);
    uint32_t wlen = (cmd_cnt >> 8) & 0xFFFFFu;
    uint8_t tmp[4];
    if (M.asleep && op != WINC_FLASH_OP_RELEASE_PD) {
        /* asleep the flash ignores everything but 0xAB; the controller reads its idle MISO: all ones */
        uint8_t *p = mem_ptr(dma, dcnt ? dcnt : 4);
        if (op == WINC_FLASH_OP_READ_STATUS || op == WINC_FLASH_OP_JEDEC) {
            if (p) {
                put32(p, 0xFFFFFFFFu);
            } else {
                reg_set(dma, 0xFFFFFFFFu);
            }
        } else if (op == WINC_FLASH_OP_FAST_READ && p) {
            memset(p, 0xFF, dcnt);
        }
        reg_set(WINC_FLASH_TR_DONE, 1u);
        return;
    }
    switch (op) {
    case WINC_FLASH_OP_READ_STATUS:
    case WINC_FLASH_OP_JEDEC: {
        uint32_t v = op == WINC_FLASH_OP_JEDEC ? JEDEC_ID : (M.wel ? 2u : 0u);
        uint8_t *p = mem_ptr(dma, 4);
        if (p) {
            put32(p, v);
        } else {
            reg_set(dma, v);
        }
        (void)tmp;
        break;
    }
    case WINC_FLASH_OP_WREN:
        M.wel = true;
        break;
    case WINC_FLASH_OP_WRDI:
        M.wel = false;
        break;
    case WINC_FLASH_OP_DEEP_PD:
        M.asleep = true;
        break;
    case WINC_FLASH_OP_RELEASE_PD:
        M.asleep = false;
        break;
    case WINC_FLASH_OP_SECTOR_ERASE:
        if (M.wel && a < WM_FLASH_SIZE) {
            memset(M.flash + (a & ~0xFFFu), 0xFF, 4096);
            wm_flash_changed();
        }
        M.wel = false;
        break;
    case WINC_FLASH_OP_PAGE_PROGRAM: {
        uint8_t *src = mem_ptr(dma, wlen);
        if (M.wel && src && wlen <= 256u && a < WM_FLASH_SIZE) {
            uint32_t page = a & ~0xFFu;
            for (uint32_t i = 0; i < wlen; i++) {
                uint32_t d = page | ((a + i) & 0xFFu); /* wraps inside the page like NOR */
                M.flash[d] &= src[i];                  /* program only clears bits */
            }
            wm_flash_changed();
        }
        M.wel = false;
        break;
    }
    case WINC_FLASH_OP_FAST_READ: {
        uint8_t *dst = mem_ptr(dma, dcnt);
        if (dst && a + dcnt <= WM_FLASH_SIZE) {
            memcpy(dst, M.flash + a, dcnt);
        }
        break;
    }
    default:
        break;
    }
    reg_set(WINC_FLASH_TR_DONE, 1u);
}

/* ---------------- registers ---------------- */

static void poll_boot(void)
{
    uint32_t now = wm_now_ms();
    if (!M.powered) {
        return;
    }
    if (!M.bootrom_ready && (reg_get(WINC_REG_GLB_RESET) & WINC_GLB_RESET_CPU_RUN) &&
        (int32_t)(now - M.bootrom_at) >= 0) {
        M.bootrom_ready = true;
        reg_set(WINC_REG_BOOTROM, WINC_FINISH_BOOT_ROM);
    }
    if (M.fw_starting && (int32_t)(now - M.fw_start_at) >= 0) {
        M.fw_starting = false;
        M.fw_running = true;
        reg_set(WINC_REG_NMI_STATE, WINC_FINISH_INIT_STATE);
        reg_set(WINC_REG_NMI_REV, (0x1330u << 16) | M.cfg.fw_version);
        /* info block: GP_REG_2 -> {mac_info, rev_info} -> 40-byte revision block; mac_info's high
         * half locates the OTP MAC, its low half the MAC in use */
        reg_set(WINC_REG_GP_REG_2, 0x0100u);
        put32(M.ram_i + 0x100, (0x0210u << 16) | 0x0200u);
        put32(M.ram_i + 0x104, 0x0300u);
        memcpy(M.ram_i + 0x210, M.cfg.otp_mac, 6);
        memcpy(M.ram_i + 0x200, M.cfg.mac_in_use, 6);
        uint8_t *rb = M.ram_i + 0x300;
        memset(rb, 0, 40);
        put32(rb, 0x001503A0u);
        rb[4] = (uint8_t)(M.cfg.fw_version >> 8);
        rb[5] = (uint8_t)((M.cfg.fw_version >> 4) & 0xFu);
        rb[6] = (uint8_t)(M.cfg.fw_version & 0xFu);
        rb[7] = 19;
        rb[8] = 3;
        rb[9] = 0;
        memcpy(rb + 10, "Jan  1 2024", 12);
        memcpy(rb + 22, "00:00:00", 9);
    }
}

static uint32_t reg_read(uint32_t addr, bool internal)
{
    poll_boot();
    if (internal) {
        return addr == 0x24u ? M.proto : 0u;
    }
    if (addr == WINC_REG_SPI_PROTOCOL) {
        return M.proto;
    }
    if (addr == WINC_REG_CLOCKS_EN) {
        return 1u << 2;
    }
    uint8_t *p = mem_ptr(addr, 4);
    if (p) {
        return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    }
    return reg_get(addr);
}

static void set_proto(uint32_t v)
{
    M.proto = v;
    M.crc_on = (v & WINC_PROTOCOL_CRC7) != 0;
}

static void reg_write(uint32_t addr, uint32_t v, bool internal)
{
    if (internal) {
        if (addr == 0x24u) {
            set_proto(v);
        }
        return;
    }
    uint8_t *p = mem_ptr(addr, 4);
    if (p) {
        put32(p, v);
        return;
    }
    switch (addr) {
    case WINC_REG_SPI_PROTOCOL:
        set_proto(v);
        return;
    case WINC_REG_GLB_RESET: {
        uint32_t old = reg_get(addr);
        reg_set(addr, v);
        if (v == 0) { /* global reset: firmware stops, SPI protocol back to CRC on */
            bool powered = M.powered;
            soft_reset_state();
            reg_set(WINC_REG_GLB_RESET, 0);
            M.powered = powered;
        } else if (!(old & WINC_GLB_RESET_CPU_RUN) && (v & WINC_GLB_RESET_CPU_RUN)) {
            M.bootrom_ready = false;
            M.bootrom_at = wm_now_ms() + 5u;
        } else if ((old & WINC_GLB_RESET_CPU_RUN) && !(v & WINC_GLB_RESET_CPU_RUN)) {
            M.fw_running = false; /* CPU halted */
            M.fw_starting = false;
        }
        return;
    }
    case WINC_REG_BOOTROM:
        reg_set(addr, v);
        if (v == WINC_START_FIRMWARE && M.bootrom_ready) {
            M.fw_starting = true;
            M.fw_start_at = wm_now_ms() + (M.cfg.boot_ms ? M.cfg.boot_ms : 20u);
        }
        return;
    case WINC_REG_HOST_RCV_CTRL_2:
        if (v & 2u) {
            uint32_t desc = reg_get(WINC_REG_NMI_STATE);
            uint32_t len = desc >> 16;
            reg_set(WINC_REG_HOST_RCV_CTRL_4, (M.fw_running && len <= HIF_MAX_PACKET) ? HIF_IN_ADDR : 0u);
            v &= ~2u;
        }
        reg_set(addr, v);
        return;
    case WINC_REG_HOST_RCV_CTRL_3:
        reg_set(addr, v);
        if ((v & 2u) && M.fw_running) {
            hif_host_message(v >> 2);
        }
        return;
    case WINC_REG_HOST_RCV_CTRL_0: {
        reg_set(addr, v);
        if (!(v & 1u)) {
            M.irq_low = false;
        }
        if ((v & 2u) && M.in_flight) {
            M.in_flight = false;
            reg_set(addr, 0);
            deliver_next();
        }
        return;
    }
    case WINC_FLASH_CMD_CNT:
        reg_set(addr, v);
        if (v & 0x80u) {
            reg_set(WINC_FLASH_TR_DONE, 0);
            flash_exec(v);
        }
        return;
    default:
        reg_set(addr, v);
        return;
    }
}

/* ---------------- SPI slave ---------------- */

static unsigned cmd_size(uint8_t op)
{
    switch (op) {
    case WINC_CMD_DMA_WRITE:
    case WINC_CMD_DMA_READ:
        return 6;
    case WINC_CMD_INTERNAL_WRITE:
        return 7;
    case WINC_CMD_INTERNAL_READ:
    case WINC_CMD_TERMINATE:
    case WINC_CMD_REPEAT:
    case WINC_CMD_RESET:
    case WINC_CMD_SINGLE_READ:
        return 4;
    case WINC_CMD_DMA_EXT_WRITE:
    case WINC_CMD_DMA_EXT_READ:
        return 7;
    case WINC_CMD_SINGLE_WRITE:
        return 8;
    default:
        return 0;
    }
}

static uint32_t pkt_size(void) { return 256u << ((M.proto >> 4) & 7u); }

static void read_reply(uint8_t op, uint32_t v, bool crc16)
{
    uint8_t d[4];
    put32(d, v);
    out(op);
    out(0);
    out(0xF3);
    for (int i = 0; i < 4; i++) {
        out(d[i]);
    }
    if (crc16) {
        out_crc16(d, 4);
    }
}

static void dma_read_reply(uint8_t op, uint32_t addr, uint32_t n)
{
    out(op);
    out(0);
    uint32_t pk = pkt_size(), done = 0;
    while (done < n) {
        uint32_t chunk = n - done > pk ? pk : n - done;
        uint8_t order = (done == 0 && chunk == n) ? 3 : (done == 0 ? 1 : (done + chunk == n ? 3 : 2));
        out((uint8_t)(0xF0u | order));
        uint8_t *p = mem_ptr(addr + done, chunk);
        for (uint32_t i = 0; i < chunk; i++) {
            out(p ? p[i] : 0u);
        }
        if (M.crc_on) {
            static uint8_t zero[8192];
            out_crc16(p ? p : zero, chunk);
        }
        done += chunk;
    }
}

static void exec_cmd(void)
{
    uint8_t *c = M.cmd;
    uint8_t op = c[0];
    unsigned n = cmd_size(op);
    if (M.crc_on && (uint8_t)(crc7(0x7F, c, n) << 1) != c[n]) {
        out(op);
        out(0x03); /* command CRC7 error */
        return;
    }
    switch (op) {
    case WINC_CMD_INTERNAL_READ: {
        bool clockless = (c[1] & WINC_CLOCKLESS_BIT) != 0;
        uint32_t a = ((uint32_t)(c[1] & 0x7Fu) << 8) | c[2];
        read_reply(op, reg_read(a, !clockless), M.crc_on && !clockless);
        break;
    }
    case WINC_CMD_SINGLE_READ: {
        uint32_t a = ((uint32_t)c[1] << 16) | ((uint32_t)c[2] << 8) | c[3];
        read_reply(op, reg_read(a, false), M.crc_on);
        break;
    }
    case WINC_CMD_INTERNAL_WRITE: {
        bool clockless = (c[1] & WINC_CLOCKLESS_BIT) != 0;
        uint32_t a = ((uint32_t)(c[1] & 0x7Fu) << 8) | c[2];
        uint32_t v = ((uint32_t)c[3] << 24) | ((uint32_t)c[4] << 16) | ((uint32_t)c[5] << 8) | c[6];
        out(op);
        out(0);
        reg_write(a, v, !clockless);
        break;
    }
    case WINC_CMD_SINGLE_WRITE: {
        uint32_t a = ((uint32_t)c[1] << 16) | ((uint32_t)c[2] << 8) | c[3];
        uint32_t v = ((uint32_t)c[4] << 24) | ((uint32_t)c[5] << 16) | ((uint32_t)c[6] << 8) | c[7];
        if (a == WINC_REG_GLB_RESET && v == 0) {
            reg_write(a, v, false); /* global reset: no response */
            break;
        }
        out(op);
        out(0);
        reg_write(a, v, false);
        break;
    }
    case WINC_CMD_TERMINATE:
    case WINC_CMD_REPEAT:
    case WINC_CMD_RESET:
        out(0);
        out(op);
        out(0);
        break;
    case WINC_CMD_DMA_READ:
    case WINC_CMD_DMA_EXT_READ: {
        uint32_t a = ((uint32_t)c[1] << 16) | ((uint32_t)c[2] << 8) | c[3];
        uint32_t len = op == WINC_CMD_DMA_READ ? (((uint32_t)c[4] << 8) | c[5])
                                               : (((uint32_t)c[4] << 16) | ((uint32_t)c[5] << 8) | c[6]);
        dma_read_reply(op, a, len);
        break;
    }
    case WINC_CMD_DMA_WRITE:
    case WINC_CMD_DMA_EXT_WRITE: {
        M.waddr = ((uint32_t)c[1] << 16) | ((uint32_t)c[2] << 8) | c[3];
        M.wlen = op == WINC_CMD_DMA_WRITE ? (((uint32_t)c[4] << 8) | c[5])
                                          : (((uint32_t)c[4] << 16) | ((uint32_t)c[5] << 8) | c[6]);
        M.wdone = 0;
        out(op);
        out(0);
        if (M.wlen) {
            M.st = S_WSTART;
        }
        break;
    }
    default:
        out(op);
        out(0x01); /* unsupported */
        break;
    }
}

uint8_t wm_spi_byte(uint8_t mosi)
{
    uint8_t miso = 0;
    if (M.oh != M.ot) {
        miso = M.outq[M.oh++ % OUTQ_SIZE];
    }
    if (!M.powered) {
        return 0xFF;
    }
    switch (M.st) {
    case S_IDLE:
        if ((mosi & 0xF0u) == 0xC0u && cmd_size(mosi)) {
            M.oh = M.ot = 0; /* a new command: drop unread response bytes */
            M.cmd[0] = mosi;
            M.cmd_len = 1;
            M.cmd_need = cmd_size(mosi) + (M.crc_on ? 1u : 0u);
            M.st = S_CMD;
        }
        break;
    case S_CMD:
        M.cmd[M.cmd_len++] = mosi;
        if (M.cmd_len == M.cmd_need) {
            M.st = S_IDLE;
            exec_cmd();
        }
        break;
    case S_WSTART:
        if ((mosi & 0xF0u) == 0xF0u) {
            uint32_t pk = pkt_size();
            M.wpkt_left = M.wlen - M.wdone > pk ? pk : M.wlen - M.wdone;
            M.st = S_WDATA;
        }
        break;
    case S_WDATA: {
        uint8_t *p = mem_ptr(M.waddr + M.wdone, 1);
        if (p) {
            *p = mosi;
        }
        M.wdone++;
        if (--M.wpkt_left == 0) {
            if (M.crc_on) {
                M.wcrc_n = 2;
                M.st = S_WCRC;
            } else {
                end_write_block();
            }
        }
        break;
    }
    case S_WCRC:
        if (--M.wcrc_n == 0) {
            end_write_block();
        }
        break;
    }
    return miso;
}

bool wm_irq_edge_take(void)
{
    bool e = M.irq_edge;
    M.irq_edge = false;
    return e;
}

bool wm_irq_level(void) { return !M.irq_low; }

void wm_poll(void)
{
    poll_boot();
    if (M.fw_running) {
        wm_net_poll();
    }
    deliver_next();
}
