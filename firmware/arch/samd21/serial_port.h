/* The board's link to the app: USART (Xplained Pro) or USB CDC (MKR1000, Feather). */
#ifndef SERIAL_PORT_H
#define SERIAL_PORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
void serial_port_init(void);
size_t serial_port_read(uint8_t *buf, size_t max);
void serial_port_write(const uint8_t *buf, size_t n);
void serial_port_poll(void);
/* true once the 1200-baud touch countdown (250 ms) has expired */
bool serial_port_touch_requested(void);
#endif
