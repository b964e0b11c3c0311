#include "winc_wifi.h"
#include <string.h>
#include "hal.h"
#include "winc_drv.h"
#include "winc_hif.h"
#include "winc_regs.h"

volatile int g_net_abort;
static volatile int s_state; /* 0 waiting, 1 L2 up, 2 got ip, -1 refused */
static uint8_t s_err;
static uint8_t s_ip[4];
static bool s_joined;
static uint32_t s_joined_boot; /* g_winc.boots when joined: a WINC reset leaves the network */

static void on_wifi(uint8_t op, uint32_t addr, uint16_t len)
{
    uint8_t b[20];
    if (op == M2M_WIFI_RESP_CON_STATE_CHANGED && len >= 2 && hif_read(addr, b, 4) == 0) {
        if (b[0] == 1) {
            if (s_state == 0) {
                s_state = 1;
            }
        } else {
            s_state = -1;
            s_err = b[1];
            s_joined = false;
        }
    } else if (op == M2M_WIFI_REQ_DHCP_CONF && len >= 16 && hif_read(addr, b, 16) == 0) {
        memcpy(s_ip, b, 4);
        s_state = 2;
        s_joined = true;
        s_joined_boot = g_winc.boots;
    }
}

bool wifi_joined(void)
{
    return s_joined && g_winc.running && s_joined_boot == g_winc.boots;
}

void wifi_forget(void) { s_joined = false; }

void wifi_ip(uint8_t ip[4]) { memcpy(ip, s_ip, 4); }

void wifi_init(void)
{
    hif_set_handler(HIF_GID_WIFI, on_wifi);
}

wifi_err_t wifi_connect(const char *ssid, uint8_t sec, const char *psk, uint32_t timeout_ms, uint8_t ip[4],
                        uint8_t *con_err)
{
    uint8_t c[M2M_WIFI_CONNECT_SIZE];
    size_t sl = strlen(ssid), pl = psk ? strlen(psk) : 0;
    if (sl < 1 || sl > 32 || pl > 64) {
        return WIFI_ERR_ARG;
    }
    memset(c, 0, sizeof c);
    if (sec == M2M_WIFI_SEC_WEP) {
        /* {key_index, key_len, key[27]}: first key (index 0 on the wire), 10 or 26 hex digits */
        if (pl != 10 && pl != 26) {
            return WIFI_ERR_ARG;
        }
        c[0] = 0;
        c[1] = (uint8_t)pl;
        memcpy(c + 2, psk, pl);
    } else if (pl) {
        memcpy(c, psk, pl);
    }
    c[65] = sec;
    c[68] = M2M_WIFI_CH_ALL;
    c[69] = 0;
    memcpy(c + 70, ssid, sl);
    c[103] = 1; /* do not save credentials on the module */
    s_state = 0;
    s_err = 0;
    s_joined = false;
    if (hif_send(HIF_GID_WIFI, M2M_WIFI_REQ_CONNECT, c, sizeof c, NULL, 0, 0) != 0) {
        return WIFI_ERR_SEND;
    }
    uint32_t start = hal_millis();
    while (s_state >= 0 && s_state != 2) {
        if ((uint32_t)(hal_millis() - start) > timeout_ms) {
            return WIFI_ERR_TIMEOUT;
        }
        if (g_net_abort) {
            return WIFI_ERR_ABORT;
        }
        wait_step();
    }
    if (s_state < 0) {
        *con_err = s_err;
        return WIFI_ERR_REFUSED;
    }
    memcpy(ip, s_ip, 4);
    return WIFI_OK;
}
