/* Wi-Fi join and DHCP result (winc-host-driver.md 3.5-3.7). */
#ifndef WINC_WIFI_H
#define WINC_WIFI_H
#include <stdbool.h>
#include <stdint.h>
typedef enum { WIFI_OK = 0, WIFI_ERR_SEND = -1, WIFI_ERR_REFUSED = -2, WIFI_ERR_TIMEOUT = -3, WIFI_ERR_ARG = -4,
               WIFI_ERR_ABORT = -5 } wifi_err_t;
void wifi_init(void);   /* registers the gid-1 handler */
/* sec: M2M_WIFI_SEC_*; blocks until DHCP or failure; ip in network order bytes */
wifi_err_t wifi_connect(const char *ssid, uint8_t sec, const char *psk, uint32_t timeout_ms, uint8_t ip[4],
                        uint8_t *con_err);
/* true while the module is joined with an address from DHCP (since its last reset) */
bool wifi_joined(void);
/* the next wifi_connect must join again (e.g. the settings changed) */
void wifi_forget(void);
/* the address DHCP gave at the last join */
void wifi_ip(uint8_t ip[4]);
/* set by the caller's idle hook to abort a blocking wait (CANCEL) */
extern volatile int g_net_abort;
#endif
