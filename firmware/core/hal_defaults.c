/* Weak defaults for HAL functions a port may leave out; a strong definition elsewhere wins. */
#include "hal.h"

__attribute__((weak)) bool hal_clock_ok(void)
{
    return true;
}
