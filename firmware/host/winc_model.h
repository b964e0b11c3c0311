/*
 * ATWINC1500 model for the host build, at the SPI-transaction level
 * (winc-host-driver.md section 6): SPI slave state machine with CRC7/CRC16,
 * register space, boot ROM/firmware handshake, HIF engine, SPI-flash controller
 * with a 512 KiB NOR image (4 KiB erase, program clears bits), and
 * Wi-Fi/DNS/socket/TLS services backed by real host sockets (winc_model_net.c).
 */
#ifndef WINC_MODEL_H
#define WINC_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WM_FLASH_SIZE (512u * 1024u)

typedef struct {
    const char *wifi_ssid;   /* NULL = accept any SSID */
    const char *wifi_psk;    /* NULL = accept any passphrase */
    uint16_t fw_version;     /* e.g. 0x1361 = 19.6.1 */
    const char *flash_out;   /* write the flash image here after every change (NULL = never) */
    uint8_t otp_mac[6];      /* the module's own MAC in OTP; all zero = the default F8:F0:05:00:12:34 */
    uint8_t mac_in_use[6];   /* the MAC the firmware uses; all zero = the OTP one */
    bool flash_asleep;       /* the SPI flash starts in deep power-down (a sketch called WiFi.end()) */
    uint32_t boot_ms;        /* from "start firmware" to the firmware's init state; 0 = 20 ms */
} wm_config_t;

void wm_init(const wm_config_t *cfg);
uint8_t *wm_flash(void);     /* the 512 KiB image (erased = 0xFF) */
bool wm_flash_asleep(void);  /* the SPI flash is in deep power-down (0xB9) until released (0xAB) */
void wm_flash_changed(void); /* persist if flash_out is set */

/* pins and SPI, called by the host HAL */
void wm_set_pins(bool reset_high, bool chip_en_high);
void wm_cs(bool select);
uint8_t wm_spi_byte(uint8_t mosi);
bool wm_irq_edge_take(void);
bool wm_irq_level(void);
void wm_poll(void);

/* used by winc_model_net.c: queue a WINC->host HIF message. data (optional) is
 * placed at payload offset data_off. */
void wm_hif_post(uint8_t gid, uint8_t op, const uint8_t *ctrl, uint16_t ctrl_len, const uint8_t *data,
                 uint16_t data_len, uint16_t data_off);
uint32_t wm_now_ms(void);

/* net side (winc_model_net.c) */
void wm_net_reset(void);
void wm_net_message(uint8_t gid, uint8_t op, const uint8_t *payload, uint16_t len);
void wm_net_poll(void);
void wm_net_config(const wm_config_t *cfg);
#endif
