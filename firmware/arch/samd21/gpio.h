#ifndef GPIO_H
#define GPIO_H
#include <stdbool.h>
#include <stdint.h>
void gpio_output(uint32_t group, uint32_t pin, bool level);
void gpio_write(uint32_t group, uint32_t pin, bool level);
void gpio_input_pullup(uint32_t group, uint32_t pin);
bool gpio_read(uint32_t group, uint32_t pin);
void gpio_function(uint32_t group, uint32_t pin, uint32_t func);
#endif
