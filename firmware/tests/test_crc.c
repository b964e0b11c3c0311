#include <string.h>
#include "test.h"
#include "crc.h"
#include "sha1.h"

TEST(crc7_reference_commands)
{
    /* winc-host-driver.md 1.3 table */
    static const struct { const char *cmd; uint8_t crc; } t[] = {
        {"C9 00 E8 24 00 00 00 52", 0x5C}, {"CF FF FF FF", 0xAA}, {"CA 00 E8 24", 0xBC},
        {"CA 00 10 00", 0xCA}, {"C4 80 0F 00", 0xC4}, {"C4 80 0B 00", 0x9C},
        {"C4 80 01 00", 0x00}, {"C3 80 01 00 00 00 02", 0x22},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint8_t b[16];
        int n = test_hex(t[i].cmd, b, sizeof b);
        CHECK_EQ((uint8_t)(crc7(0x7F, b, (size_t)n) << 1), t[i].crc);
    }
}

TEST(crc16_ccitt_check_value)
{
    CHECK_EQ(crc16_ccitt(0xFFFF, (const uint8_t *)"123456789", 9), 0x29B1);
}

TEST(crc32_check_value)
{
    CHECK_EQ(crc32_update(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    uint32_t c = crc32_update(0, (const uint8_t *)"1234", 4);
    CHECK_EQ(crc32_update(c, (const uint8_t *)"56789", 5), 0xCBF43926u);
}

TEST(sha1_abc)
{
    uint8_t out[20], exp[20];
    sha1_ctx c;
    sha1_init(&c);
    sha1_update(&c, (const uint8_t *)"abc", 3);
    sha1_final(&c, out);
    test_hex("a9993e364706816aba3e25717850c26c9cd0d89d", exp, sizeof exp);
    CHECK(memcmp(out, exp, 20) == 0);
}
