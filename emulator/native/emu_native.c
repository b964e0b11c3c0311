/*
 * Native half of the SAM D21 emulator (emulator/samd21emu is the Python half).
 *
 * 1. The CPU clock: unicorn calls emu_block_hook() at the start of every translated block. The
 *    first time a block is seen, Python decodes it (ARMv6-M check, cycle cost) through the
 *    callback given to emu_init(); afterwards its cost comes from a hash table here, so the hot
 *    path never leaves C. The hook stops emulation at the next scheduled event (stop_at) and
 *    right after blocks that change interrupt masking or sleep (flag STOP_AFTER).
 * 2. Emulated time for the WINC1500 model (firmware/host/winc_model*.c, linked into this
 *    library): its clock_gettime() is redirected to emu_clock_gettime() (emulated_clock.h),
 *    which derives the time from the cycle counter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void uc_engine;
int uc_emu_stop(uc_engine *uc);
void emu_request_stop_after_block(int force);

enum { STOP_NONE = 0, STOP_DEADLINE = 1, STOP_AFTER_FLAGGED = 2, STOP_FAULT = 3, STOP_AT_PC = 4, STOP_BAD_RETURN = 5 };
#define FLAG_STOP_AFTER 1u

/* Python: decode the block at addr (size bytes). Returns cost (bits 0-11) | first-run extra
 * cycles (bits 12-15, flash wait states while the NVM cache fills) | flags << 16, or -1 to fault. */
typedef int32_t (*block_info_fn)(uint64_t addr, uint32_t size);

uint64_t emu_cycles;         /* CPU cycles since power-on */
uint64_t emu_stop_at = ~0ull; /* stop before the first block that starts at or after this cycle */
int32_t emu_stop_reason;
uint64_t emu_blocks_checked;
int32_t emu_irq_pending;       /* set by Python: an exception is pending (ignoring PRIMASK) */
uint64_t emu_stop_pc = ~0ull;  /* idle probe: stop when a block starts here again */

static block_info_fn s_info;
static int s_stop_after;
static int s_force_stop_after;
static int s_probe_started;

/* Flash blocks, direct-mapped by start halfword (the SAM D21 has 256 KiB of flash). */
#define FLASH_BYTES 0x40000u
typedef struct {
    uint16_t size; /* 0 = not decoded yet */
    uint16_t cost;
    uint16_t flags;
} entry_t;
/* two ways per address: QEMU keeps differently sized translations of the same start address */
static entry_t s_flash[FLASH_BYTES / 2][2];

void emu_init(block_info_fn info)
{
    s_info = info;
    emu_cycles = 0;
    emu_stop_at = ~0ull;
    emu_stop_reason = STOP_NONE;
    s_stop_after = 0;
    memset(s_flash, 0, sizeof s_flash);
}

/* Forget every decoded block (flash erased, wait states changed). */
void emu_forget_blocks(void)
{
    memset(s_flash, 0, sizeof s_flash);
}

void emu_block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    (void)user;
    if (addr == emu_stop_pc) {
        if (s_probe_started) {
            emu_stop_reason = STOP_AT_PC;
            uc_emu_stop(uc);
            return;
        }
        s_probe_started = 1;
    }
    if (s_stop_after) {
        s_stop_after = 0;
        if (emu_irq_pending || s_force_stop_after) {
            s_force_stop_after = 0;
            emu_stop_reason = STOP_AFTER_FLAGGED;
            uc_emu_stop(uc);
            return;
        }
    }
    if (emu_cycles >= emu_stop_at) {
        emu_stop_reason = STOP_DEADLINE;
        uc_emu_stop(uc);
        return;
    }
    entry_t *e = NULL;
    if (addr < FLASH_BYTES) {
        entry_t *way = s_flash[addr >> 1];
        if (way[0].size == size) {
            e = &way[0];
        } else if (way[1].size == size) {
            e = &way[1];
        }
    }
    if (e == NULL) {
        /* first execution (or code outside flash, which is decoded every time: RAM can change) */
        int32_t info = s_info(addr, size);
        if (info < 0) {
            emu_stop_reason = STOP_FAULT;
            uc_emu_stop(uc);
            return;
        }
        emu_blocks_checked++;
        uint32_t cost = (uint32_t)info & 0x0FFFu, extra = ((uint32_t)info >> 12) & 0xFu, flags = (uint32_t)info >> 16;
        if (addr < FLASH_BYTES) {
            entry_t *way = s_flash[addr >> 1];
            way[1] = way[0];
            way[0].size = (uint16_t)size;
            way[0].cost = (uint16_t)cost;
            way[0].flags = (uint16_t)flags;
        }
        emu_cycles += cost + extra;
        if (flags & FLAG_STOP_AFTER) {
            s_stop_after = 1;
        }
        return;
    }
    emu_cycles += e->cost;
    if (e->flags & FLAG_STOP_AFTER) {
        s_stop_after = 1;
    }
}

/* Stop at the start of the next block if an exception is pending (after an exception return,
 * for tail-chaining), or in any case with `force` (to look for an idle loop there). */
void emu_request_stop_after_block(int force)
{
    s_stop_after = 1;
    s_force_stop_after = force;
}

/* Arm the idle probe: stop when a block starts at `pc` the second time (the first is the start). */
void emu_arm_probe(uint64_t pc)
{
    emu_stop_pc = pc;
    s_probe_started = 0;
}

/* ---- emulated time: now = base_fs + (cycles - base_cycles) * fs_per_cycle ---- */

static uint64_t s_base_cycles;
static unsigned __int128 s_base_fs;
static uint64_t s_fs_per_cycle = 1000000000ull; /* 1 MHz at reset */

void emu_set_timebase(uint64_t base_cycles, uint64_t base_fs_hi, uint64_t base_fs_lo, uint64_t fs_per_cycle)
{
    s_base_cycles = base_cycles;
    s_base_fs = ((unsigned __int128)base_fs_hi << 64) | base_fs_lo;
    s_fs_per_cycle = fs_per_cycle;
}

static unsigned __int128 now_fs(void)
{
    return s_base_fs + (unsigned __int128)(emu_cycles - s_base_cycles) * s_fs_per_cycle;
}

int emu_clock_gettime(clockid_t id, struct timespec *ts)
{
    (void)id;
    unsigned __int128 ns = now_fs() / 1000000u;
    ts->tv_sec = (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
    return 0;
}

/* ---- idle probe: remember CPU states (registers + all of SRAM) and find a recurring one ---- */

int uc_reg_read(uc_engine *uc, int regid, void *value);
int uc_mem_read(uc_engine *uc, uint64_t address, void *bytes, size_t size);

#define SRAM_BASE 0x20000000u
#define SRAM_BYTES 0x8000u
#define MAX_REGS 24
#define MAX_STATES 9
typedef struct {
    uint32_t regs[MAX_REGS];
    uint8_t ram[SRAM_BYTES];
} cpu_state_t;
static cpu_state_t s_states[MAX_STATES];
static int s_nstates;
static int s_reg_ids[MAX_REGS];
static int s_nregs;

void emu_probe_set_registers(const int32_t *ids, int n)
{
    s_nregs = n < MAX_REGS ? n : MAX_REGS;
    for (int i = 0; i < s_nregs; i++) {
        s_reg_ids[i] = ids[i];
    }
}

void emu_probe_reset(void) { s_nstates = 0; }

/* Record the current state; returns 1 if it equals one recorded since emu_probe_reset(), 0 if it
 * is new, -1 if there is no room or the state cannot be read. */
int emu_probe_record(uc_engine *uc)
{
    if (s_nstates >= MAX_STATES) {
        return -1;
    }
    cpu_state_t *st = &s_states[s_nstates];
    for (int i = 0; i < s_nregs; i++) {
        uint32_t v = 0;
        if (uc_reg_read(uc, s_reg_ids[i], &v) != 0) {
            return -1;
        }
        st->regs[i] = v;
    }
    if (uc_mem_read(uc, SRAM_BASE, st->ram, SRAM_BYTES) != 0) {
        return -1;
    }
    for (int k = 0; k < s_nstates; k++) {
        if (memcmp(s_states[k].regs, st->regs, sizeof st->regs) == 0 && memcmp(s_states[k].ram, st->ram, SRAM_BYTES) == 0) {
            return 1;
        }
    }
    s_nstates++;
    return 0;
}

/* ---- exception entry and return (ARMv6-M stacking), kept here because they run thousands of
 * times a second; Python decides which exception to take (priorities, masking). ---- */

int uc_reg_write(uc_engine *uc, int regid, const void *value);
int uc_mem_write(uc_engine *uc, uint64_t address, const void *bytes, size_t size);

enum { R_R0, R_R1, R_R2, R_R3, R_R12, R_LR, R_PC, R_XPSR, R_SP, R_IPSR, R_CONTROL, R_COUNT };
static int s_ids[R_COUNT];

#define MAX_ACTIVE 16
int32_t emu_active[MAX_ACTIVE]; /* exception numbers being handled, innermost last */
int32_t emu_nactive;
int32_t emu_stop_after_return; /* 1: stop after a return to thread mode (idle probe) ... */
uint64_t emu_probe_min_cycles;  /* ... when at least this many cycles remain before stop_at */

void emu_set_exception_registers(const int32_t *ids)
{
    for (int i = 0; i < R_COUNT; i++) {
        s_ids[i] = ids[i];
    }
}

static uint32_t rd(uc_engine *uc, int r)
{
    uint32_t v = 0;
    uc_reg_read(uc, s_ids[r], &v);
    return v;
}

static void wr(uc_engine *uc, int r, uint32_t v) { uc_reg_write(uc, s_ids[r], &v); }

/* Returns 0, or -1 when the frame cannot be stacked, -2 when the vector has no Thumb bit,
 * -3 when too many exceptions nest. */
int32_t emu_exception_entry(uc_engine *uc, uint32_t number, uint32_t vtor)
{
    if (emu_nactive >= MAX_ACTIVE) {
        return -3;
    }
    uint32_t frame[8];
    static const int order[6] = {R_R0, R_R1, R_R2, R_R3, R_R12, R_LR};
    for (int i = 0; i < 6; i++) {
        frame[i] = rd(uc, order[i]);
    }
    frame[6] = rd(uc, R_PC);
    uint32_t xpsr = rd(uc, R_XPSR);
    uint32_t sp = rd(uc, R_SP);
    uint32_t aligned = sp & 4u;
    uint32_t frame_sp = (sp - 32u) & ~7u;
    frame[7] = (xpsr & ~0x200u) | (aligned ? 0x200u : 0u);
    if (uc_mem_write(uc, frame_sp, frame, sizeof frame) != 0) {
        return -1;
    }
    uint32_t handler = 0;
    if (uc_mem_read(uc, vtor + 4u * number, &handler, 4) != 0 || !(handler & 1u)) {
        return -2;
    }
    int nested = rd(uc, R_IPSR) != 0;
    wr(uc, R_SP, frame_sp);
    wr(uc, R_LR, nested ? 0xFFFFFFF1u : 0xFFFFFFF9u);
    wr(uc, R_IPSR, number);
    wr(uc, R_PC, handler | 1u); /* unicorn: bit 0 of a PC write is the Thumb state */
    emu_active[emu_nactive++] = (int32_t)number;
    return 0;
}

/* UC_HOOK_INTR: EXCP_EXCEPTION_EXIT (8) is a return through an EXC_RETURN value. */
void emu_intr_hook(uc_engine *uc, uint32_t intno, void *user)
{
    (void)user;
    if (intno != 8) {
        return; /* the Python hook reports it */
    }
    if (rd(uc, R_IPSR) == 0) {
        emu_stop_reason = STOP_BAD_RETURN; /* EXC_RETURN branched to in thread mode */
        uc_emu_stop(uc);
        return;
    }
    uint32_t sp = rd(uc, R_SP);
    uint32_t frame[8];
    if (uc_mem_read(uc, sp, frame, sizeof frame) != 0) {
        emu_stop_reason = STOP_FAULT;
        uc_emu_stop(uc);
        return;
    }
    static const int order[6] = {R_R0, R_R1, R_R2, R_R3, R_R12, R_LR};
    for (int i = 0; i < 6; i++) {
        wr(uc, order[i], frame[i]);
    }
    uint32_t xpsr = frame[7];
    wr(uc, R_SP, sp + 32u + ((xpsr & 0x200u) ? 4u : 0u));
    wr(uc, R_XPSR, xpsr & ~0x200u);
    wr(uc, R_IPSR, xpsr & 0x3Fu);
    wr(uc, R_PC, frame[6] | 1u);
    if (emu_nactive > 0) {
        emu_nactive--;
    }
    /* pending interrupts may tail-chain; back in thread mode, look for an idle loop */
    int probe = emu_stop_after_return && emu_nactive == 0 && emu_stop_at > emu_cycles &&
                emu_stop_at - emu_cycles >= emu_probe_min_cycles;
    emu_request_stop_after_block(probe);
}
