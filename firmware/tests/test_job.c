/* SET_JOB plan rules (docs/serial-protocol.md 4.2). */
#include <string.h>
#include "test.h"
#include "job.h"

static void add(job_cfg_t *c, uint8_t type, uint8_t chain, const char *name)
{
    c->e[c->count].cert_type = type;
    c->e[c->count].num_chain = chain;
    strcpy(c->e[c->count].name, name);
    c->count++;
}

TEST(job_plan_rules)
{
    job_cfg_t c;
    memset(&c, 0, sizeof c);
    add(&c, CERT_TYPE_ROOT, 0, "root.cer");
    add(&c, CERT_TYPE_TLS_RSA, 2, "winc.key");
    add(&c, CERT_TYPE_TLS_RSA, 0, "winc.cer");
    add(&c, CERT_TYPE_TLS_RSA, 0, "ca.cer");
    add(&c, CERT_TYPE_TLS_ECC, 1, "ecc.key");
    add(&c, CERT_TYPE_TLS_ECC, 0, "ecc.cer");
    CHECK_EQ(job_validate(&c), 0);

    job_cfg_t b = c;
    b.e[1].num_chain = 3; /* announces more certificates than follow */
    CHECK(job_validate(&b) != 0);
    b = c;
    b.e[0].num_chain = 1; /* root with a chain count */
    CHECK(job_validate(&b) != 0);
    b = c;
    strcpy(b.e[0].name, "../etc/passwd");
    CHECK(job_validate(&b) != 0);
    b = c;
    strcpy(b.e[0].name, "/root.cer");
    CHECK(job_validate(&b) != 0);
    b = c;
    add(&b, CERT_TYPE_TLS_RSA, 1, "second.key"); /* second RSA group */
    add(&b, CERT_TYPE_TLS_RSA, 0, "second.cer");
    CHECK(job_validate(&b) != 0);
    b = c;
    b.e[2].cert_type = CERT_TYPE_TLS_ECC; /* mixed types inside a group */
    CHECK(job_validate(&b) != 0);
    b = c;
    b.count = 0;
    CHECK(job_validate(&b) != 0);
}
