#include "app.h"
#include "hal.h"

void app_init(void)
{
}

void app_poll(void)
{
    uint8_t buf[64];
    size_t n = hal_serial_read(buf, sizeof buf);
    if (n) {
        hal_serial_write(buf, n);
    }
    hal_poll();
}
