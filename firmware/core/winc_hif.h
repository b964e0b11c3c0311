/* WINC host interface (HIF) messages (winc-host-driver.md 3.1-3.3). */
#ifndef WINC_HIF_H
#define WINC_HIF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef void (*hif_handler_t)(uint8_t op, uint32_t payload_addr, uint16_t payload_len);

int hif_send(uint8_t gid, uint8_t op, const uint8_t *ctrl, uint16_t ctrl_len, const uint8_t *data,
             uint16_t data_len, uint16_t data_off);
/* Reads at most one pending WINC->host message and dispatches it; 1 = handled, 0 = none, -1 = bus error. */
int hif_service(void);
void hif_set_handler(uint8_t gid, hif_handler_t h);
void hif_enable(bool on);   /* false in download mode / while the WINC is off */
bool hif_enabled(void);
/* Read part of a received message (only valid inside a handler). */
int hif_read(uint32_t addr, uint8_t *buf, size_t n);

/* Wait helpers used by every blocking layer above the HIF: they service the
 * WINC interrupt (or poll it every 10 ms as a safety net), hal_poll() and the
 * application's idle hook (the serial protocol while a job runs). */
typedef void (*idle_hook_t)(void);
void wait_set_idle_hook(idle_hook_t h);
void wait_step(void);
#endif
