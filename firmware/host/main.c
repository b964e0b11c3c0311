/*
 * winc-cert-fw-host: the firmware core on Linux. The WINC is the model in
 * winc_model.c; the serial link is a pseudo-terminal whose slave path is
 * printed alone on the first stdout line. Serves the protocol until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "app.h"
#include "board_limits.h"
#include "hal_host.h"
#include "winc_flash_layout.h"
#include "winc_model.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: winc-cert-fw-host [--board NAME] [--flash IMAGE] [--root-store FILE] [--tls-store FILE]\n"
            "                         [--flash-out FILE] [--wifi-ssid SSID] [--wifi-psk PSK] [--winc-fw X.Y.Z]\n"
            "                         [--winc-mac AA:BB:CC:DD:EE:FF] [--flash-asleep] [--winc-boot-ms N]\n"
            "  --flash IMAGE      seed the 512 KiB WINC flash from IMAGE (default: erased)\n"
            "  --root-store FILE  place a 4 KiB root-store section at 0x4000 (e.g. root_19.5.4_arduino_V1.bin)\n"
            "  --tls-store FILE   place an 8 KiB TLS-store section at 0x5000\n"
            "  --flash-out FILE   write the flash image to FILE after every erase/program\n"
            "  --wifi-ssid/--wifi-psk  the only network the model joins (default: any)\n"
            "  --winc-mac MAC     the module's MAC address in its OTP (default F8:F0:05:00:12:34)\n"
            "  --flash-asleep     the WINC's SPI flash starts in deep power-down (as after WiFi.end())\n"
            "  --winc-boot-ms N   the WINC firmware takes N ms to start (default 20; a real module up to ~5000)\n"
            "  --limits           print the board's size limits (board_limits.h) as JSON and exit\n");
}

/* the table of board_limits.h, with the key names of src-main/board/protocol/board-limits.ts */
static void print_limits(void)
{
    printf("{\"jobEntries\": %u, \"chainCerts\": %u, \"removeRoots\": %u, \"fileName\": %u, "
           "\"rootCertDer\": %u, \"rootEntryBytes\": %u, \"tlsStoreBytes\": %u, \"tlsFileBytes\": %u, "
           "\"tlsFiles\": %u, \"rsaBits\": %u, \"rootStoreBytes\": %u, \"tlsSectionBytes\": %u, "
           "\"tlsKeptTail\": %u, \"proveBody\": %u}\n",
           LIMIT_JOB_ENTRIES, LIMIT_CHAIN_CERTS, LIMIT_REMOVE_ROOTS, LIMIT_FILE_NAME, LIMIT_ROOT_CERT_DER,
           LIMIT_ROOT_ENTRY_BYTES, LIMIT_TLS_STORE_BYTES, LIMIT_TLS_FILE_BYTES, LIMIT_TLS_FILES, LIMIT_RSA_BITS,
           LIMIT_ROOT_STORE_BYTES, LIMIT_TLS_SECTION_BYTES, LIMIT_TLS_KEPT_TAIL, LIMIT_PROVE_BODY);
}

static int load(const char *path, uint8_t *dst, size_t max, size_t *got)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    *got = fread(dst, 1, max, f);
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    wm_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    const char *board = "host", *flash = NULL, *root = NULL, *tls = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        }
        if (!strcmp(a, "--limits")) {
            print_limits();
            return 0;
        }
        if (!strcmp(a, "--flash-asleep")) {
            cfg.flash_asleep = true;
            continue;
        }
        if (!v) {
            usage();
            return 2;
        }
        if (!strcmp(a, "--board")) {
            board = v;
        } else if (!strcmp(a, "--flash")) {
            flash = v;
        } else if (!strcmp(a, "--root-store")) {
            root = v;
        } else if (!strcmp(a, "--tls-store")) {
            tls = v;
        } else if (!strcmp(a, "--flash-out")) {
            cfg.flash_out = v;
        } else if (!strcmp(a, "--wifi-ssid")) {
            cfg.wifi_ssid = v;
        } else if (!strcmp(a, "--wifi-psk")) {
            cfg.wifi_psk = v;
        } else if (!strcmp(a, "--winc-boot-ms")) {
            cfg.boot_ms = (uint32_t)strtoul(v, NULL, 10);
        } else if (!strcmp(a, "--winc-mac")) {
            unsigned m[6];
            if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
                usage();
                return 2;
            }
            for (int k = 0; k < 6; k++) {
                cfg.otp_mac[k] = (uint8_t)m[k];
            }
        } else if (!strcmp(a, "--winc-fw")) {
            unsigned x, y, z;
            if (sscanf(v, "%u.%u.%u", &x, &y, &z) != 3) {
                usage();
                return 2;
            }
            cfg.fw_version = (uint16_t)((x << 8) | ((y & 0xFu) << 4) | (z & 0xFu));
        } else {
            usage();
            return 2;
        }
        i++;
    }
    signal(SIGPIPE, SIG_IGN);
    uint8_t *img = wm_flash();
    memset(img, 0xFF, WM_FLASH_SIZE);
    size_t got;
    if (flash && load(flash, img, WM_FLASH_SIZE, &got) != 0) {
        return 1;
    }
    if (root && load(root, img + WINC_ROOT_STORE_OFFSET, WINC_ROOT_STORE_SIZE, &got) != 0) {
        return 1;
    }
    if (tls && load(tls, img + WINC_TLS_STORE_OFFSET, WINC_TLS_STORE_SIZE, &got) != 0) {
        return 1;
    }
    wm_init(&cfg);
    wm_flash_changed();

    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        perror("pty");
        return 1;
    }
    const char *slave_path = ptsname(master);
    /* keep a slave open: no EIO/hang-up while no client is attached; raw, no echo */
    int slave = open(slave_path, O_RDWR | O_NOCTTY);
    struct termios t;
    if (slave >= 0 && tcgetattr(slave, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(slave, TCSANOW, &t);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    printf("%s\n", slave_path);
    fflush(stdout);

    hal_host_set_board(board);
    hal_host_set_serial_fd(master);
    app_init();
    for (;;) {
        struct pollfd pf = {master, POLLIN, 0};
        poll(&pf, 1, 2);
        app_poll();
    }
}
