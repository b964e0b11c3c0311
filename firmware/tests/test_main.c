#include "test.h"
#include <stdlib.h>
#include <string.h>

int g_test_failed;
const char *g_shared_dir = "../../shared";
static struct { const char *name; test_fn fn; } s_tests[256];
static int s_n;

void test_register(const char *name, test_fn fn)
{
    if (s_n < 256) {
        s_tests[s_n].name = name;
        s_tests[s_n].fn = fn;
        s_n++;
    }
}

uint8_t *test_read_shared(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", g_shared_dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("    cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

int test_hex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = 0;
    while (*hex) {
        if (*hex == ' ') {
            hex++;
            continue;
        }
        unsigned v;
        if (sscanf(hex, "%2x", &v) != 1 || n >= max) {
            return -1;
        }
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return (int)n;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        g_shared_dir = argv[1];
    }
    int passed = 0, failed = 0;
    for (int i = 0; i < s_n; i++) {
        g_test_failed = 0;
        s_tests[i].fn();
        printf("%s %s\n", g_test_failed ? "FAIL" : "ok  ", s_tests[i].name);
        if (g_test_failed) {
            failed++;
        } else {
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
