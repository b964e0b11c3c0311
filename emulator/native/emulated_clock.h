/* Force-included into the WINC1500 model when it is built for the emulator: the model keeps
 * its time with clock_gettime(); under emulation that is the emulated clock (emu_native.c). */
#ifndef EMULATED_CLOCK_H
#define EMULATED_CLOCK_H
#include <time.h>
int emu_clock_gettime(clockid_t id, struct timespec *ts);
#define clock_gettime(id, ts) emu_clock_gettime((id), (ts))
#endif
