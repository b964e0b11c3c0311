/* HAL for the Linux host build: time from CLOCK_MONOTONIC, WINC pins and SPI
 * wired to the WINC1500 model (or to a test transcript), serial on a pty fd. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hal.h"
#include "hal_host.h"
#include "winc_model.h"

static int s_serial_fd = -1;
static const char *s_board = "host";
static const hal_spi_backend_t *s_spi;
static bool s_reset_high, s_en_high;

static const hal_spi_backend_t k_model_backend = {
    .cs = wm_cs,
    .xfer = wm_spi_byte,
    .irq_take = wm_irq_edge_take,
    .irq_level = wm_irq_level,
    .poll = wm_poll,
};

void hal_host_set_serial_fd(int fd) { s_serial_fd = fd; }
void hal_host_set_board(const char *name) { s_board = name; }
void hal_host_set_spi_backend(const hal_spi_backend_t *b) { s_spi = b ? b : &k_model_backend; }

static const hal_spi_backend_t *spi(void) { return s_spi ? s_spi : &k_model_backend; }

uint32_t hal_millis(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void hal_delay_ms(uint32_t ms)
{
    uint32_t start = hal_millis();
    while ((uint32_t)(hal_millis() - start) < ms) {
        hal_poll();
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
}

void hal_winc_reset_pin(bool high)
{
    s_reset_high = high;
    if (spi() == &k_model_backend) {
        wm_set_pins(s_reset_high, s_en_high);
    }
}

void hal_winc_chip_en_pin(bool high)
{
    s_en_high = high;
    if (spi() == &k_model_backend) {
        wm_set_pins(s_reset_high, s_en_high);
    }
}

void hal_winc_wake_pin(bool high) { (void)high; }

void hal_winc_cs(bool select) { spi()->cs(select); }

void hal_winc_spi_xfer(const uint8_t *tx, uint8_t *rx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t r = spi()->xfer(tx ? tx[i] : 0u);
        if (rx) {
            rx[i] = r;
        }
    }
}

bool hal_winc_irq_take(void) { return spi()->irq_take(); }
bool hal_winc_irq_level(void) { return spi()->irq_level(); }

size_t hal_serial_read(uint8_t *buf, size_t max)
{
    if (s_serial_fd < 0) {
        return 0;
    }
    ssize_t n = read(s_serial_fd, buf, max);
    return n > 0 ? (size_t)n : 0;
}

void hal_serial_write(const uint8_t *buf, size_t n)
{
    uint32_t start = hal_millis();
    while (s_serial_fd >= 0 && n > 0) {
        ssize_t w = write(s_serial_fd, buf, n);
        if (w < 0) {
            if ((errno == EAGAIN || errno == EINTR) && (uint32_t)(hal_millis() - start) < 2000u) {
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
                continue;
            }
            return;
        }
        buf += w;
        n -= (size_t)w;
    }
}

void hal_poll(void)
{
    if (spi()->poll) {
        spi()->poll();
    }
}

const char *hal_board_name(void) { return s_board; }
uint32_t hal_chip_id(void) { return 0; }

void hal_serial_number(char out[33])
{
    snprintf(out, 33, "%032X", 0x1234u);
}

void hal_led(bool on) { (void)on; }

void hal_system_reset(bool to_bootloader)
{
    (void)to_bootloader; /* the host build has no bootloader; the job just ends */
}
