/* The provisioning job (RUN_JOB): Wi-Fi, HTTPS downloads, store build, flash write/verify, re-init. */
#ifndef JOB_H
#define JOB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "proto_events.h"
#include "protocol_defs.h"

typedef struct {
    uint8_t cert_type;
    uint8_t num_chain;
    char name[65];
} job_entry_t;

typedef struct {
    bool wifi_set, server_set, job_set;
    uint8_t security;          /* M2M_WIFI_SEC_* */
    char ssid[33];
    char pass[65];
    char host[64];
    uint16_t port;
    char sni[64];
    uint8_t server_flags;
    uint8_t job_flags;
    uint8_t count;
    job_entry_t e[JOB_MAX_ENTRIES];
    uint8_t remove_count;      /* SET_JOB REMOVE_ROOTS (1.1): name hashes left out of the final root store */
    uint8_t remove[JOB_MAX_REMOVE_ROOTS][ROOT_NAME_HASH_SIZE];
} job_cfg_t;

typedef struct {
    uint8_t files, roots, tls_files, root_count;
    uint8_t tls_handshakes;
} job_result_t;

/* 0 = success; otherwise err is filled */
int job_run(const job_cfg_t *cfg, job_result_t *res, proto_error_t *err);
/* the 8 KiB section buffer, free while no job runs (READ_FLASH uses it) */
uint8_t *job_scratch(size_t *len);
/* validates a SET_JOB plan; 0 = ok */
int job_validate(const job_cfg_t *cfg);
#endif
