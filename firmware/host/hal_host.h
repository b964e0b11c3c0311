#ifndef HAL_HOST_H
#define HAL_HOST_H
#include <stdbool.h>
#include <stdint.h>
/* Where the WINC SPI goes: the model by default, a transcript in the tests. */
typedef struct {
    void (*cs)(bool select);
    uint8_t (*xfer)(uint8_t mosi);
    bool (*irq_take)(void);
    bool (*irq_level)(void);
    void (*poll)(void);
} hal_spi_backend_t;
void hal_host_set_spi_backend(const hal_spi_backend_t *b); /* NULL = model */
void hal_host_set_serial_fd(int fd);
void hal_host_set_board(const char *name);
#endif
