#include "winc_hif.h"
#include "hal.h"
#include "winc_regs.h"
#include "winc_spi.h"

static hif_handler_t s_handlers[8];
static bool s_enabled;
static idle_hook_t s_idle;
static uint32_t s_last_poll;

void hif_set_handler(uint8_t gid, hif_handler_t h)
{
    if (gid < 8u) {
        s_handlers[gid] = h;
    }
}

void hif_enable(bool on) { s_enabled = on; }
bool hif_enabled(void) { return s_enabled; }

int hif_read(uint32_t addr, uint8_t *buf, size_t n) { return winc_block_read(addr, buf, n); }

int hif_send(uint8_t gid, uint8_t op, const uint8_t *ctrl, uint16_t ctrl_len, const uint8_t *data,
             uint16_t data_len, uint16_t data_off)
{
    uint32_t len = HIF_HDR_SIZE + (data ? (uint32_t)data_off + data_len : ctrl_len);
    if (len > HIF_MAX_PACKET) {
        return -1;
    }
    if (winc_reg_write(WINC_REG_NMI_STATE, (uint32_t)gid | ((uint32_t)op << 8) | (len << 16)) != 0 ||
        winc_reg_write(WINC_REG_HOST_RCV_CTRL_2, 2u) != 0) {
        return -1;
    }
    uint32_t v = 2;
    for (int i = 0; i < 1000; i++) {
        if (winc_reg_read(WINC_REG_HOST_RCV_CTRL_2, &v) != 0) {
            return -1;
        }
        if (!(v & 2u)) {
            break;
        }
        if (i >= 500) {
            hal_delay_ms(1);
        }
    }
    if (v & 2u) {
        return -1;
    }
    uint32_t addr;
    if (winc_reg_read(WINC_REG_HOST_RCV_CTRL_4, &addr) != 0 || addr == 0) {
        return -1;
    }
    uint8_t hdr[HIF_HDR_SIZE] = {gid, (uint8_t)(op & 0x7Fu), (uint8_t)len, (uint8_t)(len >> 8), 0, 0, 0, 0};
    if (winc_block_write(addr, hdr, sizeof hdr) != 0) {
        return -1;
    }
    if (ctrl_len && winc_block_write(addr + HIF_HDR_SIZE, ctrl, ctrl_len) != 0) {
        return -1;
    }
    if (data && data_len && winc_block_write(addr + HIF_HDR_SIZE + data_off, data, data_len) != 0) {
        return -1;
    }
    return winc_reg_write(WINC_REG_HOST_RCV_CTRL_3, (addr << 2) | 2u);
}

int hif_service(void)
{
    uint32_t r, addr;
    if (winc_reg_read(WINC_REG_HOST_RCV_CTRL_0, &r) != 0) {
        return -1;
    }
    if (!(r & 1u)) {
        return 0;
    }
    if (winc_reg_write(WINC_REG_HOST_RCV_CTRL_0, r & ~1u) != 0) {
        return -1;
    }
    uint32_t size = (r >> 2) & 0xFFFu;
    if (winc_reg_read(WINC_REG_HOST_RCV_CTRL_1, &addr) != 0) {
        return -1;
    }
    uint8_t hdr[4];
    if (size >= HIF_HDR_SIZE && winc_block_read(addr, hdr, 4) == 0) {
        uint16_t hlen = (uint16_t)(hdr[2] | (hdr[3] << 8));
        uint8_t gid = hdr[0];
        /* the size field is rounded up: header length may be up to 4 below it (3.3 step 6) */
        if (gid > 0 && gid < 8u && hlen >= HIF_HDR_SIZE && hlen <= size && size - hlen <= 4u && s_handlers[gid]) {
            s_handlers[gid](hdr[1], addr + HIF_HDR_SIZE, (uint16_t)(hlen - HIF_HDR_SIZE));
        }
    }
    /* RX done, always (3.3 step 8) */
    if (winc_reg_read(WINC_REG_HOST_RCV_CTRL_0, &r) != 0 || winc_reg_write(WINC_REG_HOST_RCV_CTRL_0, r | 2u) != 0) {
        return -1;
    }
    return 1;
}

void wait_set_idle_hook(idle_hook_t h) { s_idle = h; }

void wait_step(void)
{
    hal_poll();
    if (s_enabled) {
        bool irq = hal_winc_irq_take() || !hal_winc_irq_level();
        if (irq || (uint32_t)(hal_millis() - s_last_poll) >= 10u) {
            s_last_poll = hal_millis();
            while (hif_service() == 1) {
            }
        }
    }
    if (s_idle) {
        s_idle();
    }
}
