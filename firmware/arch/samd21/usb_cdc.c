/*
 * USB full-speed CDC-ACM device for the MKR1000 and Feather M0 WiFi
 * (samd21-facts.md section 6). Interrupt driven; endpoints as the SAM-BA
 * bootloader uses them: EP0 control, EP1 bulk IN, EP2 bulk OUT, EP3 interrupt IN.
 * Honours the 1200-baud touch (6.12): line coding 1200 with DTR low starts a
 * 250 ms countdown, any other line state cancels it.
 */
#include "board_config.h"
#if BOARD_HAS_USB_CDC
#include <string.h>
#include "hal.h"
#include "samd21.h"
#include "clock.h"
#include "gpio.h"
#include "ringbuf.h"
#include "serial_port.h"

#define EP_CTRL 0u
#define EP_IN   1u
#define EP_OUT  2u
#define EP_NOTE 3u

typedef struct {
    volatile uint32_t addr;
    volatile uint32_t pcksize;
    volatile uint16_t extreg;
    volatile uint8_t status_bk;
    uint8_t reserved[5];
} usb_bank_t;

static usb_bank_t s_desc[8][2] __attribute__((aligned(4)));
static uint8_t s_ep0_out[64] __attribute__((aligned(4)));
static uint8_t s_ep0_in[128] __attribute__((aligned(4)));
static uint8_t s_bulk_out[64] __attribute__((aligned(4)));
static uint8_t s_bulk_in[64] __attribute__((aligned(4)));

static uint8_t s_rx_mem[1024];
static uint8_t s_tx_mem[1024];
static ringbuf_t s_rx, s_tx;

static volatile uint8_t s_configured;
static volatile uint8_t s_pending_addr;
static volatile uint8_t s_expect_line_coding;
static volatile uint8_t s_in_busy;
static volatile uint8_t s_need_zlp;
static volatile uint8_t s_out_stalled; /* bulk OUT not re-armed because the ring was full */
static uint8_t s_line_coding[7] = {0x00, 0xC2, 0x01, 0x00, 0, 0, 8}; /* 115200 8N1 */
static volatile uint8_t s_dtr;
static volatile uint8_t s_touch_armed;
static volatile uint32_t s_touch_at;

#define PCK_SIZE64 (3u << 28)
#define PCK_AUTOZLP (1u << 31)

/* Device class EF/02/01 (composite, Interface Association): Windows' usbser.sys binds by itself only
 * to class 02/02 or to a CDC function grouped by an IAD in an EF/02/01 device; Linux and macOS take
 * either. Same endpoints as the SAM-BA bootloader (samd21-facts.md 6.11). */
static const uint8_t k_device_desc[18] = {
    18, 1, 0x00, 0x02, 0xEF, 0x02, 0x01, 64,
    (uint8_t)(USB_VID & 0xFF), (uint8_t)(USB_VID >> 8), (uint8_t)(USB_PID & 0xFF), (uint8_t)(USB_PID >> 8),
    0x00, 0x01, 1, 2, 3, 1,
};

#define CONFIG_DESC_BYTES 75u
static const uint8_t k_config_desc[CONFIG_DESC_BYTES] = {
    9, 2, CONFIG_DESC_BYTES, 0, 2, 1, 0, 0x80, 250,
    /* interface association: interfaces 0-1 are one CDC ACM function */
    8, 0x0B, 0, 2, 0x02, 0x02, 0x00, 0,
    /* interface 0: communication, ACM */
    9, 4, 0, 0, 1, 0x02, 0x02, 0x00, 0,
    5, 0x24, 0x00, 0x10, 0x01,      /* header, CDC 1.10 */
    5, 0x24, 0x01, 0x00, 1,         /* call management */
    4, 0x24, 0x02, 0x06,            /* ACM: line coding + break */
    5, 0x24, 0x06, 0, 1,            /* union */
    7, 5, 0x80 | EP_NOTE, 0x03, 16, 0, 0x10,
    /* interface 1: data */
    9, 4, 1, 0, 2, 0x0A, 0x00, 0x00, 0,
    7, 5, 0x80 | EP_IN, 0x02, 64, 0, 0,
    7, 5, EP_OUT, 0x02, 64, 0, 0,
};

static void irq_off(void) { __asm volatile("cpsid i" ::: "memory"); }
static void irq_on(void) { __asm volatile("cpsie i" ::: "memory"); }

static void ep0_send(const uint8_t *data, uint32_t len, uint32_t wlength)
{
    if (len > wlength) {
        len = wlength;
    }
    if (len > sizeof s_ep0_in) {
        len = sizeof s_ep0_in;
    }
    if (data != s_ep0_in && len) {
        memcpy(s_ep0_in, data, len);
    }
    uint32_t zlp = (len < wlength && (len % 64u) == 0u && len) ? PCK_AUTOZLP : 0u;
    s_desc[0][1].addr = (uint32_t)(uintptr_t)s_ep0_in;
    s_desc[0][1].pcksize = PCK_SIZE64 | zlp | len;
    USB_EPINTFLAG(0) = EPINT_TRCPT1;
    USB_EPSTATUSSET(0) = EPST_BK1RDY;
}

static void ep0_zlp(void) { ep0_send(s_ep0_in, 0, 0); }

static void ep0_stall(void)
{
    USB_EPSTATUSSET(0) = EPST_STALLRQ1 | EPST_STALLRQ0;
}

static void ep0_arm_out(void)
{
    s_desc[0][0].addr = (uint32_t)(uintptr_t)s_ep0_out;
    s_desc[0][0].pcksize = PCK_SIZE64 | (64u << 14);
    USB_EPSTATUSCLR(0) = EPST_BK0RDY;
}

static void bulk_out_arm(void)
{
    s_desc[EP_OUT][0].addr = (uint32_t)(uintptr_t)s_bulk_out;
    s_desc[EP_OUT][0].pcksize = PCK_SIZE64 | (64u << 14);
    USB_EPSTATUSCLR(EP_OUT) = EPST_BK0RDY;
}

/* called with interrupts disabled or from the ISR */
static void bulk_in_kick(void)
{
    if (!s_configured || s_in_busy) {
        return;
    }
    uint32_t n = 0;
    uint8_t b;
    while (n < 64u && rb_get(&s_tx, &b)) {
        s_bulk_in[n++] = b;
    }
    if (n == 0 && !s_need_zlp) {
        return;
    }
    s_need_zlp = (n == 64u);
    s_desc[EP_IN][1].addr = (uint32_t)(uintptr_t)s_bulk_in;
    s_desc[EP_IN][1].pcksize = PCK_SIZE64 | n;
    s_in_busy = 1;
    USB_EPINTFLAG(EP_IN) = EPINT_TRCPT1;
    USB_EPSTATUSSET(EP_IN) = EPST_BK1RDY;
}

static void touch_evaluate(void)
{
    uint32_t rate = (uint32_t)s_line_coding[0] | ((uint32_t)s_line_coding[1] << 8) |
                    ((uint32_t)s_line_coding[2] << 16) | ((uint32_t)s_line_coding[3] << 24);
    if (rate == 1200u && !s_dtr) {
        s_touch_at = hal_millis() + 250u;
        s_touch_armed = 1;
    } else {
        s_touch_armed = 0;
    }
}

static void configure_endpoints(void)
{
    USB_EPCFG(EP_IN) = (uint8_t)(3u << 4);     /* bulk IN */
    USB_EPCFG(EP_OUT) = 3u;                    /* bulk OUT */
    USB_EPCFG(EP_NOTE) = (uint8_t)(4u << 4);   /* interrupt IN */
    USB_EPSTATUSCLR(EP_IN) = EPST_DTGLIN | EPST_BK1RDY | EPST_STALLRQ1;
    USB_EPSTATUSCLR(EP_OUT) = EPST_DTGLOUT | EPST_STALLRQ0;
    USB_EPINTENSET(EP_IN) = EPINT_TRCPT1;
    USB_EPINTENSET(EP_OUT) = EPINT_TRCPT0;
    s_in_busy = 0;
    s_need_zlp = 0;
    s_out_stalled = 0;
    bulk_out_arm();
    s_configured = 1;
}

static uint32_t string_desc(uint8_t index, uint8_t *out)
{
    char text[40];
    const char *s;
    if (index == 0) {
        out[0] = 4;
        out[1] = 3;
        out[2] = 0x09;
        out[3] = 0x04;
        return 4;
    }
    if (index == 1) {
        s = "WINC Cert Studio";
    } else if (index == 2) {
        s = USB_PRODUCT;
    } else if (index == 3) {
        hal_serial_number(text);
        s = text;
    } else {
        return 0;
    }
    uint32_t n = 0;
    while (s[n] && n < 60u) {
        out[2u + 2u * n] = (uint8_t)s[n];
        out[3u + 2u * n] = 0;
        n++;
    }
    out[0] = (uint8_t)(2u + 2u * n);
    out[1] = 3;
    return out[0];
}

static void handle_setup(const uint8_t *sp)
{
    uint8_t type = sp[0];
    uint8_t req = sp[1];
    uint16_t wvalue = (uint16_t)(sp[2] | (sp[3] << 8));
    uint16_t windex = (uint16_t)(sp[4] | (sp[5] << 8));
    uint16_t wlength = (uint16_t)(sp[6] | (sp[7] << 8));

    if ((type & 0x60u) == 0x20u) { /* class request (CDC) */
        switch (req) {
        case 0x20: /* SET_LINE_CODING: data stage follows */
            s_expect_line_coding = 1;
            ep0_arm_out();
            return;
        case 0x21: /* GET_LINE_CODING */
            ep0_send(s_line_coding, 7, wlength);
            return;
        case 0x22: /* SET_CONTROL_LINE_STATE */
            s_dtr = (uint8_t)(wvalue & 1u);
            touch_evaluate();
            ep0_zlp();
            return;
        case 0x23: /* SEND_BREAK */
            ep0_zlp();
            return;
        default:
            ep0_stall();
            return;
        }
    }
    if ((type & 0x60u) != 0) {
        ep0_stall();
        return;
    }
    switch (req) {
    case 0: { /* GET_STATUS */
        uint8_t st[2] = {0, 0};
        if ((type & 0x1Fu) == 2u) {
            uint8_t ep = (uint8_t)(windex & 0x0Fu);
            uint8_t bit = (windex & 0x80u) ? EPST_STALLRQ1 : EPST_STALLRQ0;
            st[0] = (ep < 8u && (USB_EPSTATUS(ep) & bit)) ? 1u : 0u;
        }
        ep0_send(st, 2, wlength);
        return;
    }
    case 1: /* CLEAR_FEATURE */
    case 3: /* SET_FEATURE */
        if ((type & 0x1Fu) == 2u && wvalue == 0) {
            uint8_t ep = (uint8_t)(windex & 0x0Fu);
            uint8_t in = (windex & 0x80u) != 0;
            if (ep > 0 && ep < 8u) {
                if (req == 3) {
                    USB_EPSTATUSSET(ep) = in ? EPST_STALLRQ1 : EPST_STALLRQ0;
                } else {
                    USB_EPSTATUSCLR(ep) = in ? (EPST_STALLRQ1 | EPST_DTGLIN) : (EPST_STALLRQ0 | EPST_DTGLOUT);
                }
            }
        }
        ep0_zlp();
        return;
    case 5: /* SET_ADDRESS: applied after the status stage completes */
        s_pending_addr = (uint8_t)(wvalue & 0x7Fu);
        ep0_zlp();
        return;
    case 6: { /* GET_DESCRIPTOR */
        uint8_t dtype = (uint8_t)(wvalue >> 8);
        if (dtype == 1) {
            ep0_send(k_device_desc, sizeof k_device_desc, wlength);
        } else if (dtype == 2) {
            ep0_send(k_config_desc, sizeof k_config_desc, wlength);
        } else if (dtype == 3) {
            uint32_t n = string_desc((uint8_t)wvalue, s_ep0_in);
            if (n) {
                ep0_send(s_ep0_in, n, wlength);
            } else {
                ep0_stall();
            }
        } else {
            ep0_stall(); /* device qualifier etc.: full-speed only */
        }
        return;
    }
    case 8: { /* GET_CONFIGURATION */
        uint8_t c = s_configured;
        ep0_send(&c, 1, wlength);
        return;
    }
    case 9: /* SET_CONFIGURATION */
        if (wvalue == 1) {
            configure_endpoints();
        } else {
            s_configured = 0;
            USB_EPCFG(EP_IN) = 0;
            USB_EPCFG(EP_OUT) = 0;
            USB_EPCFG(EP_NOTE) = 0;
        }
        ep0_zlp();
        return;
    case 10: { /* GET_INTERFACE */
        uint8_t alt = 0;
        ep0_send(&alt, 1, wlength);
        return;
    }
    case 11: /* SET_INTERFACE */
        ep0_zlp();
        return;
    default:
        ep0_stall();
        return;
    }
}

static void bus_reset(void)
{
    memset((void *)s_desc, 0, sizeof s_desc);
    s_configured = 0;
    s_pending_addr = 0;
    s_expect_line_coding = 0;
    USB_DADD = 0; /* address 0 until SET_ADDRESS */
    USB_EPCFG(0) = (uint8_t)(1u | (1u << 4));
    USB_EPCFG(EP_IN) = 0;
    USB_EPCFG(EP_OUT) = 0;
    USB_EPCFG(EP_NOTE) = 0;
    s_desc[0][1].pcksize = PCK_SIZE64;
    ep0_arm_out();
    USB_EPINTENSET(0) = EPINT_RXSTP | EPINT_TRCPT0 | EPINT_TRCPT1;
}

void USB_Handler(void)
{
    uint16_t f = USB_INTFLAG;
    if (f & USB_INT_EORST) {
        USB_INTFLAG = USB_INT_EORST;
        bus_reset();
        return;
    }
    USB_INTFLAG = f; /* SOF, suspend, wake...: nothing to do */
    uint16_t smry = USB_EPINTSMRY;

    if (smry & 1u) {
        uint8_t ef = USB_EPINTFLAG(0);
        if (ef & EPINT_RXSTP) {
            uint8_t setup[8];
            memcpy(setup, s_ep0_out, 8);
            USB_EPINTFLAG(0) = EPINT_RXSTP | EPINT_TRCPT0;
            USB_EPSTATUSCLR(0) = EPST_STALLRQ0 | EPST_STALLRQ1;
            s_expect_line_coding = 0;
            ep0_arm_out();
            handle_setup(setup);
        } else {
            if (ef & EPINT_TRCPT1) {
                USB_EPINTFLAG(0) = EPINT_TRCPT1;
                if (s_pending_addr) {
                    USB_DADD = (uint8_t)(USB_DADD_ADDEN | s_pending_addr);
                    s_pending_addr = 0;
                }
            }
            if (ef & EPINT_TRCPT0) {
                USB_EPINTFLAG(0) = EPINT_TRCPT0;
                if (s_expect_line_coding) {
                    s_expect_line_coding = 0;
                    memcpy(s_line_coding, s_ep0_out, 7);
                    touch_evaluate();
                    ep0_zlp();
                }
                ep0_arm_out();
            }
        }
    }
    if (smry & (1u << EP_IN)) {
        uint8_t ef = USB_EPINTFLAG(EP_IN);
        USB_EPINTFLAG(EP_IN) = ef;
        if (ef & EPINT_TRCPT1) {
            s_in_busy = 0;
            bulk_in_kick();
        }
    }
    if (smry & (1u << EP_OUT)) {
        uint8_t ef = USB_EPINTFLAG(EP_OUT);
        USB_EPINTFLAG(EP_OUT) = ef;
        if (ef & EPINT_TRCPT0) {
            uint32_t n = s_desc[EP_OUT][0].pcksize & 0x3FFFu;
            for (uint32_t i = 0; i < n && i < 64u; i++) {
                (void)rb_put(&s_rx, s_bulk_out[i]);
            }
            if (rb_space(&s_rx) >= 64u) {
                bulk_out_arm();
            } else {
                s_out_stalled = 1;
            }
        }
    }
    if (smry & (1u << EP_NOTE)) {
        USB_EPINTFLAG(EP_NOTE) = USB_EPINTFLAG(EP_NOTE);
    }
}

static uint32_t nvm_field(uint32_t shift, uint32_t mask, uint32_t fallback_if, uint32_t fallback)
{
    uint32_t v = (REG32(NVM_SW_CAL_WORD1) >> shift) & mask;
    return v == fallback_if ? fallback : v;
}

void serial_port_init(void)
{
    rb_init(&s_rx, s_rx_mem, sizeof s_rx_mem);
    rb_init(&s_tx, s_tx_mem, sizeof s_tx_mem);
    gpio_function(PA, 24u, PMUX_G);
    gpio_function(PA, 25u, PMUX_G);
    clock_enable_peripheral(GCLK_ID_USB);
    USB_CTRLA = USB_CTRLA_SWRST;
    while (USB_SYNCBUSY & USB_CTRLA_SWRST) {
    }
    uint32_t transn = nvm_field(13, 0x1F, 0x1F, 5);
    uint32_t transp = nvm_field(18, 0x1F, 0x1F, 29);
    uint32_t trim = nvm_field(23, 0x07, 0x07, 3);
    USB_PADCAL = (uint16_t)(transp | (transn << 6) | (trim << 12));
    USB_QOSCTRL = 0x0Fu; /* CQOS = DQOS = 3 */
    memset((void *)s_desc, 0, sizeof s_desc);
    USB_DESCADD = (uint32_t)(uintptr_t)s_desc;
    USB_CTRLB = USB_CTRLB_DETACH; /* full speed, still detached */
    USB_CTRLA = USB_CTRLA_ENABLE;
    while (USB_SYNCBUSY & USB_CTRLA_ENABLE) {
    }
    USB_INTFLAG = 0xFFFFu;
    USB_INTENSET = USB_INT_EORST;
    NVIC_ISER = 1u << IRQ_USB;
    USB_CTRLB = 0; /* attach */
}

size_t serial_port_read(uint8_t *buf, size_t max)
{
    size_t n = 0;
    while (n < max && rb_get(&s_rx, &buf[n])) {
        n++;
    }
    if (s_out_stalled && rb_space(&s_rx) >= 64u) {
        irq_off();
        s_out_stalled = 0;
        bulk_out_arm();
        irq_on();
    }
    return n;
}

void serial_port_write(const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t start = hal_millis();
        while (!rb_put(&s_tx, buf[i])) {
            irq_off();
            bulk_in_kick();
            irq_on();
            if (!s_configured || (uint32_t)(hal_millis() - start) > 200u) {
                return; /* host gone: drop rather than hang */
            }
        }
    }
    irq_off();
    bulk_in_kick();
    irq_on();
}

void serial_port_poll(void)
{
    /* only when something waits to go out: the TRCPT1 interrupt sends the rest */
    if (!s_configured || s_in_busy || (rb_count(&s_tx) == 0 && !s_need_zlp)) {
        return;
    }
    irq_off();
    bulk_in_kick();
    irq_on();
}

bool serial_port_touch_requested(void)
{
    return s_touch_armed && (int32_t)(hal_millis() - s_touch_at) >= 0;
}
#endif
