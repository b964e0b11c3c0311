/* Tiny test harness: TEST(name) registers a function; CHECK records failures. */
#ifndef TEST_H
#define TEST_H
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
extern int g_test_failed;
extern const char *g_shared_dir;
#define TEST(name)                                                                   \
    static void name(void);                                                          \
    __attribute__((constructor)) static void reg_##name(void) { test_register(#name, name); } \
    static void name(void)
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            printf("    check failed %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
            g_test_failed = 1;                                                       \
        }                                                                            \
    } while (0)
#define CHECK_EQ(a, b)                                                               \
    do {                                                                             \
        long long va_ = (long long)(a), vb_ = (long long)(b);                        \
        if (va_ != vb_) {                                                            \
            printf("    check failed %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, #b, va_, vb_); \
            g_test_failed = 1;                                                       \
        }                                                                            \
    } while (0)
/* read a file under the shared dir; returns malloc'd buffer or NULL */
uint8_t *test_read_shared(const char *rel, size_t *len);
int test_hex(const char *hex, uint8_t *out, size_t max);
#endif
