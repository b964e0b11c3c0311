/* WINC1500 register addresses and magic values (winc-host-driver.md 1.2, 1.7, 2.2, 2.4, 3.2-3.5, 4.2).
 * The one place these constants live; shared by the driver and the host-build model. */
#ifndef WINC_REGS_H
#define WINC_REGS_H

/* SPI command opcodes */
#define WINC_CMD_DMA_WRITE      0xC1u
#define WINC_CMD_DMA_READ       0xC2u
#define WINC_CMD_INTERNAL_WRITE 0xC3u
#define WINC_CMD_INTERNAL_READ  0xC4u
#define WINC_CMD_TERMINATE      0xC5u
#define WINC_CMD_REPEAT         0xC6u
#define WINC_CMD_DMA_EXT_WRITE  0xC7u
#define WINC_CMD_DMA_EXT_READ   0xC8u
#define WINC_CMD_SINGLE_WRITE   0xC9u
#define WINC_CMD_SINGLE_READ    0xCAu
#define WINC_CMD_RESET          0xCFu
#define WINC_CLOCKLESS_BIT      0x80u   /* in addr_hi of C3/C4 */
#define WINC_WRITE_CLOCKLESS_MAX 0x30u  /* writes <= use C3 */
#define WINC_READ_CLOCKLESS_MAX  0xFFu  /* reads <= use C4 */
#define WINC_DATA_START_MASK    0xF0u
#define WINC_DATA_ORDER_FIRST   0x01u
#define WINC_DATA_ORDER_MIDDLE  0x02u
#define WINC_DATA_ORDER_LAST    0x03u
#define WINC_DATA_RSP_LAST      0xC3u

/* registers */
#define WINC_REG_WAKE_CLK       0x01u
#define WINC_REG_HOST_CORT_COMM 0x0Bu
#define WINC_REG_CLOCKS_EN      0x0Fu
#define WINC_REG_CORT_HOST_COMM 0x10u
#define WINC_REG_CHIPID         0x1000u
#define WINC_REG_EFUSE_CTRL     0x1014u
#define WINC_REG_HOST_RCV_CTRL_3 0x106Cu   /* host -> WINC "TX done" */
#define WINC_REG_HOST_RCV_CTRL_0 0x1070u   /* WINC -> host RX: bit0 pending, bit1 rx done, 13..2 size */
#define WINC_REG_HOST_RCV_CTRL_2 0x1078u   /* host asks for a buffer (bit1) */
#define WINC_REG_HOST_RCV_CTRL_1 0x1084u   /* address of pending RX message / flash scratch */
#define WINC_REG_NMI_STATE      0x108Cu
#define WINC_REG_BOOT_RESET_MUX 0x1118u
#define WINC_REG_RF_REVID       0x13F4u
#define WINC_REG_GLB_RESET      0x1400u
#define WINC_REG_PIN_MUX_0      0x1408u
#define WINC_REG_PIN_MUX_1      0x1410u
#define WINC_REG_GP_REG_1       0x14A0u
#define WINC_REG_INTR_ENABLE    0x1A00u
#define WINC_REG_SPI_PROTOCOL   0xE824u
#define WINC_REG_ROM_IRQ_MASK   0x20300u
#define WINC_REG_NMI_REV        0x207ACu
#define WINC_REG_WAIT_FOR_HOST  0x207BCu
#define WINC_REG_GP_REG_2       0xC0008u
#define WINC_REG_BOOTROM        0xC000Cu
#define WINC_REG_HOST_RCV_CTRL_4 0x150400u /* buffer address for host -> WINC */
#define WINC_INFO_BASE          0x30000u
#define WINC_FLASH_BOUNCE_ADDR  0xD0000u

#define WINC_PROTOCOL_CRC7      (1u << 2)
#define WINC_PROTOCOL_CRC16     (1u << 3)
#define WINC_PROTOCOL_PKT_MASK  (7u << 4)
#define WINC_PROTOCOL_PKT_8K    (5u << 4)

#define WINC_CHIPID_3A0_RAW     0x001003A0u
#define WINC_GLB_RESET_CPU_RUN  (1u << 10)

/* boot magic */
#define WINC_FINISH_BOOT_ROM    0x10ADD09Eu
#define WINC_START_FIRMWARE     0xEF522F61u
#define WINC_FINISH_INIT_STATE  0x02532636u
#define WINC_DRIVER_VERSION_WORD 0x13521352u  /* driver 19.5.2 (min 19.5.2): M2M_MAKE_VERSION_INFO */
#define WINC_DRIVER_MAJOR 19u
#define WINC_DRIVER_MINOR 5u
#define WINC_DRIVER_PATCH 2u
#define WINC_GP_REG_1_CONF      0x102u       /* USE_PMU | reserved-1 */

/* SPI flash controller (4.2) */
#define WINC_FLASH_CMD_CNT      0x10204u
#define WINC_FLASH_DATA_CNT     0x10208u
#define WINC_FLASH_BUF1         0x1020Cu
#define WINC_FLASH_BUF2         0x10210u
#define WINC_FLASH_BUF_DIR      0x10214u
#define WINC_FLASH_TR_DONE      0x10218u
#define WINC_FLASH_DMA_ADDR     0x1021Cu
#define WINC_FLASH_OP_READ_STATUS 0x05u
#define WINC_FLASH_OP_JEDEC     0x9Fu
#define WINC_FLASH_OP_WREN      0x06u
#define WINC_FLASH_OP_WRDI      0x04u
#define WINC_FLASH_OP_SECTOR_ERASE 0x20u
#define WINC_FLASH_OP_PAGE_PROGRAM 0x02u
#define WINC_FLASH_OP_FAST_READ 0x0Bu
#define WINC_FLASH_OP_DEEP_PD   0xB9u
#define WINC_FLASH_OP_RELEASE_PD 0xABu

/* HIF */
#define HIF_HDR_SIZE            8u
#define HIF_MAX_PACKET          1596u
#define HIF_REQ_DATA_PKT        0x80u
#define HIF_GID_WIFI            1u
#define HIF_GID_IP              2u
#define HIF_GID_SSL             5u

/* Wi-Fi opcodes (gid 1) */
#define M2M_WIFI_REQ_CONNECT        0x28u
#define M2M_WIFI_REQ_DISCONNECT     0x2Bu
#define M2M_WIFI_RESP_CON_STATE_CHANGED 0x2Cu
#define M2M_WIFI_REQ_DHCP_CONF      0x32u
#define M2M_WIFI_CONNECT_SIZE       108u
#define M2M_WIFI_SEC_OPEN           1u
#define M2M_WIFI_SEC_WPA_PSK        2u
#define M2M_WIFI_SEC_WEP            3u
#define M2M_WIFI_CH_ALL             255u

/* socket opcodes (gid 2) */
#define SOCKET_CMD_CONNECT      0x44u
#define SOCKET_CMD_SEND         0x45u
#define SOCKET_CMD_RECV         0x46u
#define SOCKET_CMD_CLOSE        0x49u
#define SOCKET_CMD_DNS_RESOLVE  0x4Au
#define SOCKET_CMD_SSL_CONNECT  0x4Bu
#define SOCKET_CMD_SSL_SEND     0x4Cu
#define SOCKET_CMD_SSL_RECV     0x4Du
#define SOCKET_CMD_SSL_CLOSE    0x4Eu
#define SOCKET_CMD_SSL_CREATE   0x50u
#define SOCKET_CMD_SSL_SET_SOCK_OPT 0x51u
#define SSL_OPT_SNI             2u
#define SSL_FLAGS_ACTIVE        0x01u
#define SSL_FLAGS_BYPASS_X509   0x02u
#define SSL_FLAGS_NO_TX_COPY    0x20u
#define SSL_FLAGS_CHECK_SNI     0x40u
#define TCP_SEND_DATA_OFFSET    80u
#define SOCK_ERR_CONN_ABORTED   (-12)
#define SOCK_ERR_TIMEOUT        (-13)
#define SOCK_RECV_SIZE          16u

#endif
