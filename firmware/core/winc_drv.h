/* WINC1500 chip bring-up: reset pins, boot handshake, version, download mode. */
#ifndef WINC_DRV_H
#define WINC_DRV_H
#include <stdbool.h>
#include <stdint.h>
typedef struct {
    uint32_t chip_id;       /* normalised, e.g. 0x1503A0; 0 if unknown */
    uint8_t fw[3];          /* firmware major, minor, patch */
    uint8_t min_drv[3];     /* minimum driver the firmware accepts */
    uint32_t flash_size;    /* bytes, 0 if unknown */
    bool running;           /* firmware started (normal mode) */
    bool starting;          /* a boot is in progress (winc_start_poll advances it) */
    bool start_failed;      /* the last boot failed */
    bool download_mode;     /* CPU halted, flash accessible */
    uint8_t mac[6];         /* the module's MAC (OTP when set, else the one in use) */
    bool mac_valid;         /* learnt at a firmware start; survives later resets */
    uint32_t boots;         /* counts hardware resets: state tied to one boot (Wi-Fi) compares it */
} winc_info_t;

typedef enum {
    WINC_OK = 0,
    WINC_ERR_BUS = -1,         /* SPI does not answer */
    WINC_ERR_CHIP = -2,        /* unexpected chip id */
    WINC_ERR_BOOTROM = -3,     /* boot ROM never reported 0x10ADD09E */
    WINC_ERR_FW_START = -4,    /* firmware never reached init state */
    WINC_ERR_CONF = -5,        /* GP_REG_1 did not read back */
    WINC_ERR_PENDING = -6,     /* winc_start_poll: still starting */
} winc_err_t;

extern winc_info_t g_winc;
void winc_hw_reset(void);
/* Normal boot without blocking: hardware reset and SPI set-up (about 70 ms), then each
 * winc_start_poll() advances the boot and answers WINC_ERR_PENDING until it is done. */
winc_err_t winc_start_begin(void);
winc_err_t winc_start_poll(void);
/* begin (unless a boot is already in progress) and poll to the end; the serial link is served
 * between polls (wait_step) */
winc_err_t winc_start(void);
winc_err_t winc_enter_download_mode(void);
/* reads the MAC address from the firmware info block (needs a running firmware); 0 = ok */
int winc_read_mac(uint8_t mac[6]);
/* raw chip id -> normalised id */
uint32_t winc_normalise_chip_id(uint32_t raw);
#endif
