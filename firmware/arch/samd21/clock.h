#ifndef CLOCK_H
#define CLOCK_H
#include <stdbool.h>
#include <stdint.h>
#define CPU_HZ 48000000u
void clock_init(void);
bool clock_crystal_ok(void);
/* route generator 0 (48 MHz) to a GCLK peripheral channel */
void clock_enable_peripheral(uint32_t gclk_id);
#endif
