/* Store writer against shared/vectors (Microchip tool output, don't-care ranges masked). */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "root_store.h"
#include "tls_store.h"
#include "x509.h"

typedef struct {
    const char *id, *output;
    const char *inputs[8];
    int ninputs;
    int ranges[16][2];
    int nranges;
    int exit_code; /* 3 = the last input is refused (flash full) */
} vec_t;

static const vec_t k_vectors[] = {
    {"R01_ca_rsa2048", "root/R01_ca_rsa2048/mchp_c_downloader.bin", {"ca_rsa2048.der"}, 1, {{47, 48}, {55, 56}}, 2, 0},
    {"R03_ec_p256", "root/R03_ec_p256/mchp_c_downloader.bin", {"ec_p256.der"}, 1, {{47, 48}, {55, 56}}, 2, 0},
    {"R04_real_isrg_root_x1", "root/R04_real_isrg_root_x1/mchp_c_downloader.bin", {"real_ISRG_Root_X1.der"}, 1, {{47, 48}, {55, 56}}, 2, 0},
    {"R06_real_amazon_root_ca_3", "root/R06_real_amazon_root_ca_3/mchp_c_downloader.bin", {"real_Amazon_Root_CA_3.der"}, 1, {{47, 48}, {55, 56}}, 2, 0},
    {"M01_multi6", "root/M01_multi6/mchp_c_downloader.bin", {"ca_rsa2048.der", "rsa4096.der", "ec_p256.der", "real_DigiCert_Global_Root_G2.der", "real_Amazon_Root_CA_3.der", "real_ISRG_Root_X1.der"}, 6, {{47, 48}, {55, 56}, {351, 352}, {359, 360}, {911, 912}, {919, 920}, {1019, 1020}, {1027, 1028}, {1323, 1324}, {1331, 1332}, {1431, 1432}, {1439, 1440}}, 12, 0},
    {"Q03_flash_full", "root/Q03_flash_full/mchp_c_downloader.bin", {"full_ACCVRAIZ1.der", "full_AC_RAIZ_FNMT-RCM.der", "full_ANF_Secure_Server_Root_CA.der", "full_Actalis_Authentication_Root_CA.der", "full_AffirmTrust_Premium.der", "full_Amazon_Root_CA_2.der", "real_ISRG_Root_X1.der", "full_Buypass_Class_2_Root_CA.der"}, 8, {{47, 48}, {55, 56}, {607, 608}, {615, 616}, {1167, 1168}, {1175, 1176}, {1727, 1728}, {1735, 1736}, {2287, 2288}, {2295, 2296}, {2847, 2848}, {2855, 2856}, {3407, 3408}, {3415, 3416}}, 14, 3},
    {"T01_rsa_chain_pkcs8", "tls/T01_rsa_chain_pkcs8/mchp_c.bin", {"server_rsa2048.key", "server_rsa2048.der", "ca_rsa2048.der"}, 3, {{2100, 2132}, {2391, 2392}, {192, 232}}, 3, 0},
    {"T03_ecdsa_chain", "tls/T03_ecdsa_chain/mchp_c.bin", {"server_p256.der", "ca_rsa2048.der"}, 2, {{138, 176}}, 1, 0},
};

static uint8_t *input(const char *name, size_t *len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "vectors/inputs/%s", name);
    return test_read_shared(rel, len);
}

static int compare_masked(const vec_t *v, const uint8_t *got, size_t n)
{
    size_t elen;
    char rel[256];
    snprintf(rel, sizeof rel, "vectors/%s", v->output);
    uint8_t *exp = test_read_shared(rel, &elen);
    if (!exp || elen != n) {
        free(exp);
        return 0;
    }
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        int masked = 0;
        for (int r = 0; r < v->nranges; r++) {
            if ((int)i >= v->ranges[r][0] && (int)i < v->ranges[r][1]) {
                masked = 1;
            }
        }
        if (!masked && got[i] != exp[i]) {
            if (bad < 5) {
                printf("    %s: byte %zu got %02x want %02x\n", v->id, i, got[i], exp[i]);
            }
            bad++;
        }
    }
    free(exp);
    return bad == 0;
}

static void run_root(const vec_t *v)
{
    uint8_t sec[WINC_ROOT_STORE_SIZE];
    memset(sec, 0xFF, sizeof sec);
    for (int i = 0; i < v->ninputs; i++) {
        size_t len;
        uint8_t *der = input(v->inputs[i], &len);
        CHECK(der != NULL);
        if (!der) {
            return;
        }
        root_result_t r = root_store_add(sec, der, len);
        free(der);
        if (v->exit_code == 3 && i == v->ninputs - 1) {
            CHECK_EQ(r, ROOT_ERR_FULL);
        } else {
            CHECK_EQ(r, ROOT_OK);
        }
    }
    CHECK(compare_masked(v, sec, sizeof sec));
}

static void run_tls(const vec_t *v)
{
    uint8_t sec[WINC_TLS_STORE_SIZE];
    uint8_t scratch[4096];
    uint8_t *bufs[8] = {0};
    tls_cert_in_t certs[8];
    int nc = 0;
    uint8_t *key = NULL;
    size_t key_len = 0;
    memset(sec, 0xFF, sizeof sec);
    for (int i = 0; i < v->ninputs; i++) {
        size_t len;
        bufs[i] = input(v->inputs[i], &len);
        CHECK(bufs[i] != NULL);
        if (!bufs[i]) {
            goto out;
        }
        if (strstr(v->inputs[i], ".key")) {
            key = bufs[i];
            key_len = len;
        } else {
            certs[nc].der = bufs[i];
            certs[nc].len = len;
            nc++;
        }
    }
    CHECK_EQ(tls_store_write_chain(sec, certs, nc, key, key_len, TLS_HDR_SIZE_19_6, scratch, sizeof scratch), TLS_OK);
    CHECK(compare_masked(v, sec, sizeof sec));
out:
    for (int i = 0; i < 8; i++) {
        free(bufs[i]);
    }
}

TEST(store_vectors_root_R01) { run_root(&k_vectors[0]); }
TEST(store_vectors_root_R03_ecdsa) { run_root(&k_vectors[1]); }
TEST(store_vectors_root_R04_real) { run_root(&k_vectors[2]); }
TEST(store_vectors_root_R06_real_ecdsa) { run_root(&k_vectors[3]); }
TEST(store_vectors_root_M01_mixed) { run_root(&k_vectors[4]); }
TEST(store_vectors_root_Q03_full_refused) { run_root(&k_vectors[5]); }
TEST(store_vectors_tls_T01_rsa_chain) { run_tls(&k_vectors[6]); }
TEST(store_vectors_tls_T03_ecdsa_chain) { run_tls(&k_vectors[7]); }

TEST(store_merge_identical_not_stored_twice)
{
    uint8_t sec[WINC_ROOT_STORE_SIZE];
    size_t len;
    uint8_t *der = input("ca_rsa2048.der", &len);
    if (!der) {
        CHECK(0);
        return;
    }
    memset(sec, 0xFF, sizeof sec);
    CHECK_EQ(root_store_add(sec, der, len), ROOT_OK);
    CHECK_EQ(root_store_add(sec, der, len), ROOT_UNCHANGED);
    CHECK_EQ(root_store_count(sec), 1);
    free(der);
}

TEST(store_merge_same_name_replaces_and_repacks)
{
    /* Replace entry 0 (RSA-2048) by a forged entry with the same name hash but a
     * different key size: the store must repack, not overwrite in place. */
    uint8_t sec[WINC_ROOT_STORE_SIZE];
    size_t l1, l2, l3;
    uint8_t *a = input("ca_rsa2048.der", &l1);
    uint8_t *b = input("ec_p256.der", &l2);
    uint8_t *c = input("real_ISRG_Root_X1.der", &l3);
    if (!a || !b || !c) {
        CHECK(0);
        return;
    }
    memset(sec, 0xFF, sizeof sec);
    CHECK_EQ(root_store_add(sec, a, l1), ROOT_OK);
    CHECK_EQ(root_store_add(sec, b, l2), ROOT_OK);
    CHECK_EQ(root_store_add(sec, c, l3), ROOT_OK);
    size_t off, size, off2, size2;
    CHECK_EQ(root_store_entry(sec, 1, &off, &size), 0);
    CHECK_EQ(size, 108);
    /* shrink entry 0 by changing its stored modulus length: adding the real cert
     * again must replace it (same hash, different bytes) and restore the layout */
    uint8_t before[WINC_ROOT_STORE_SIZE];
    memcpy(before, sec, sizeof sec);
    sec[40] = 0x00; sec[41] = 0x01;          /* N length 256 -> 256 (same), change a key byte */
    sec[44] ^= 0xFF;
    CHECK_EQ(root_store_add(sec, a, l1), ROOT_REPLACED);
    CHECK(memcmp(before, sec, sizeof sec) == 0);
    CHECK_EQ(root_store_count(sec), 3);
    CHECK_EQ(root_store_entry(sec, 2, &off2, &size2), 0);
    CHECK_EQ(sec[off2 + size2], 0xFF);
    free(a);
    free(b);
    free(c);
}

TEST(store_tls_key_mismatch_refused)
{
    uint8_t sec[WINC_TLS_STORE_SIZE], scratch[4096];
    size_t lk, lc;
    uint8_t *k = input("server_rsa2048.key", &lk);
    uint8_t *c = input("ca_rsa2048.der", &lc);
    if (!k || !c) {
        CHECK(0);
        return;
    }
    tls_cert_in_t certs[1] = {{c, lc}};
    CHECK_EQ(tls_store_write_chain(sec, certs, 1, k, lk, TLS_HDR_SIZE_19_6, scratch, sizeof scratch), TLS_ERR_KEY_MISMATCH);
    free(k);
    free(c);
}

TEST(store_real_section_decodes)
{
    size_t len;
    uint8_t *s = test_read_shared("winc-real-sections/root_19.5.4_arduino_V1.bin", &len);
    if (!s) {
        CHECK(0);
        return;
    }
    CHECK_EQ(len, WINC_ROOT_STORE_SIZE);
    CHECK_EQ(root_store_count(s), 12);
    free(s);
    s = test_read_shared("winc-real-sections/root_19.7.7_iotprovision_V1_ecdsa.bin", &len);
    if (s) {
        CHECK_EQ(root_store_count(s), 10);
        free(s);
    }
    s = test_read_shared("winc-real-sections/root_19.4.4_arduino_V0.bin", &len);
    if (s) {
        CHECK_EQ(root_store_count(s), -1); /* V0 is not merged into; the job refuses it */
        free(s);
    }
    s = test_read_shared("winc-real-sections/tls_19.6.1_arduino_hdr468.bin", &len);
    if (s) {
        CHECK_EQ(tls_store_count(s), 3);
        free(s);
    }
}

TEST(store_root_remove_repacks)
{
    /* REMOVE_ROOTS (protocol 1.1): the entry goes, the later ones move down, the tail is erased */
    uint8_t sec[WINC_ROOT_STORE_SIZE], only_ac[WINC_ROOT_STORE_SIZE];
    size_t l1, l2, l3;
    uint8_t *a = input("ca_rsa2048.der", &l1);
    uint8_t *b = input("ec_p256.der", &l2);
    uint8_t *c = input("real_ISRG_Root_X1.der", &l3);
    if (!a || !b || !c) {
        CHECK(0);
        return;
    }
    memset(only_ac, 0xFF, sizeof only_ac);
    CHECK_EQ(root_store_add(only_ac, a, l1), ROOT_OK);
    CHECK_EQ(root_store_add(only_ac, c, l3), ROOT_OK);
    memset(sec, 0xFF, sizeof sec);
    CHECK_EQ(root_store_add(sec, a, l1), ROOT_OK);
    CHECK_EQ(root_store_add(sec, b, l2), ROOT_OK);
    CHECK_EQ(root_store_add(sec, c, l3), ROOT_OK);
    x509_t xb;
    CHECK_EQ(x509_parse(b, l2, &xb), X509_OK);
    CHECK_EQ(root_store_remove(sec, xb.subject_sha1), 1);
    CHECK_EQ(root_store_count(sec), 2);
    CHECK(memcmp(sec, only_ac, sizeof sec) == 0);
    CHECK_EQ(root_store_remove(sec, xb.subject_sha1), 0); /* absent: not an error */
    uint8_t junk[WINC_ROOT_STORE_SIZE];
    memset(junk, 0x33, sizeof junk);
    CHECK_EQ(root_store_remove(junk, xb.subject_sha1), -1);
    free(a);
    free(b);
    free(c);
}

TEST(store_tls_file_lookup)
{
    size_t len;
    uint8_t *s = test_read_shared("winc-real-sections/tls_19.6.1_arduino_hdr468.bin", &len);
    if (!s) {
        CHECK(0);
        return;
    }
    const uint8_t *lst, *d;
    size_t ll, dl;
    CHECK_EQ(tls_store_file(s, "RSA.lst", &lst, &ll), 0);
    CHECK_EQ(ll % TLS_FILE_NAME_MAX, 0);
    char first[TLS_FILE_NAME_MAX + 1];
    memcpy(first, lst, TLS_FILE_NAME_MAX);
    first[TLS_FILE_NAME_MAX] = 0;
    CHECK(strncmp(first, "PRIV_", 5) == 0);
    CHECK_EQ(tls_store_file(s, first, &d, &dl), 0);
    CHECK(dl > TLS_PRIV_HDR_SIZE);
    CHECK(tls_store_file(s, "RSA.ls", &d, &dl) != 0); /* whole names only */
    CHECK(tls_store_file(s, "nope", &d, &dl) != 0);
    free(s);
}

TEST(store_tls_keeps_the_last_two_pages)
{
    /* 0x6E00 (AWS endpoint) and 0x6F00 (thing name) are not the store's: a fresh store leaves them */
    static uint8_t sec[WINC_TLS_STORE_SIZE], scratch[4096];
    size_t lk, lc, la;
    uint8_t *k = input("server_rsa2048.key", &lk);
    uint8_t *c = input("server_rsa2048.der", &lc);
    uint8_t *a = input("ca_rsa2048.der", &la);
    if (!k || !c || !a) {
        CHECK(0);
        return;
    }
    memset(sec, 0x5A, sizeof sec); /* whatever the section held before */
    static const char endpoint[] = "abc-ats.iot.us-east-1.amazonaws.com", thing[] = "thing-0001";
    memcpy(sec + 0x1E00, endpoint, sizeof endpoint);
    memcpy(sec + 0x1F00, thing, sizeof thing);
    static uint8_t tail[WINC_TLS_KEPT_TAIL];
    memcpy(tail, sec + WINC_TLS_STORE_CAPACITY, sizeof tail);
    tls_cert_in_t certs[2] = {{c, lc}, {a, la}};
    CHECK_EQ(tls_store_write_chain(sec, certs, 2, k, lk, TLS_HDR_SIZE_19_6, scratch, sizeof scratch), TLS_OK);
    CHECK(memcmp(sec + WINC_TLS_STORE_CAPACITY, tail, sizeof tail) == 0);
    CHECK_EQ(sec[WINC_TLS_STORE_CAPACITY - 1], 0xFF); /* the rest of the store area is erased */
    CHECK_EQ(tls_store_count(sec), 4);
    free(k);
    free(c);
    free(a);
}
