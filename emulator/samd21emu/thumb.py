"""
ARMv6-M (Cortex-M0+) instruction check and cycle cost for one translated block.

Unicorn translates Thumb-2 (ARMv7-M/v8-M) encodings that a Cortex-M0+ cannot execute; silicon
takes a HardFault (UNDEFINSTR) on them. Every block is decoded here once, when it is first
executed, and refused if it holds anything outside the ARMv6-M Thumb instruction set (ARMv6-M
Architecture Reference Manual, section A5: the 16-bit encodings plus the 32-bit BL, MSR, MRS,
DMB, DSB, ISB and UDF). Costs follow the Cortex-M0+ instruction timings (single-cycle
multiplier, as on the SAM D21): 1 cycle for data processing, 2 for loads/stores and taken
branches, 1+N for LDM/STM/PUSH/POP, 3 for BL. Flash wait states cost RWS cycles per 32-bit fetch:
on every run with the NVM cache off (CTRLB.CACHEDIS), on the first run only with it on (a loop body
then runs from the cache, the approximation made here; the cache's size is not modelled).
"""

FLAG_STOP_AFTER = 1  # the block changes interrupt masking or sleeps: stop after it

WFI = 0xBF30


class Decoded:
    __slots__ = ("cost", "fetch_cycles", "flags", "problem", "count")

    def __init__(self, cost: int, flags: int, problem: str | None, count: int, fetch_cycles: int = 0):
        self.cost = cost
        self.fetch_cycles = fetch_cycles  # flash wait states for fetching the block once
        self.flags = flags
        self.problem = problem
        self.count = count


def _cost16(hw: int) -> tuple[int, bool, str | None]:
    """(cycles, stop_after, problem) of one 16-bit instruction."""
    top5 = hw >> 11
    if top5 <= 0b00111:  # shifts, add/sub, mov/cmp/add/sub imm
        return 1, False, None
    if top5 == 0b01000:
        if (hw >> 10) == 0b010000:  # data processing (incl. MULS: single cycle on the SAM D21)
            return 1, False, None
        # special data / branch exchange
        op = (hw >> 8) & 3
        if op == 3:  # BX / BLX
            if hw & 7:
                return 1, False, "BX/BLX with non-zero low bits"
            return (3 if hw & 0x80 else 2), False, None
        rd = (hw & 7) | ((hw >> 4) & 8)
        if op == 1 and (hw & 0xC0) == 0 and rd < 8 and ((hw >> 3) & 0xF) < 8:
            return 1, False, "CMP of two low registers in the high-register form (UNPREDICTABLE)"
        return (2 if rd == 15 and op != 1 else 1), False, None
    if top5 == 0b01001:  # LDR literal
        return 2, False, None
    if 0b01010 <= top5 <= 0b10011:  # load/store register/immediate/SP-relative
        return 2, False, None
    if top5 in (0b10100, 0b10101):  # ADR, ADD Rd, SP, #imm
        return 1, False, None
    if top5 in (0b10110, 0b10111):  # miscellaneous
        op = (hw >> 8) & 0xF
        if op == 0b0000:  # ADD/SUB SP, #imm
            return 1, False, None
        if op in (0b0001, 0b0011, 0b1001, 0b1011):
            return 1, False, "CBZ/CBNZ (ARMv7-M)"
        if op == 0b0010:  # SXTH SXTB UXTH UXTB
            return 1, False, None
        if op in (0b0100, 0b0101):  # PUSH
            n = bin(hw & 0x1FF).count("1")
            return 1 + n, False, None
        if op == 0b0110:
            if (hw & 0xFFEF) == 0xB662:  # CPSIE i / CPSID i
                return 1, True, None
            if (hw & 0xFFE0) == 0xB640:
                return 1, False, "SETEND (not in ARMv6-M)"
            return 1, False, "CPS with flags other than i (ARMv7-M)"
        if op == 0b1010:
            if ((hw >> 6) & 3) == 2:
                return 1, False, "undefined REV encoding"
            return 1, False, None
        if op in (0b1100, 0b1101):  # POP
            n = bin(hw & 0x1FF).count("1")
            return (3 + n if hw & 0x100 else 1 + n), False, None
        if op == 0b1110:  # BKPT
            return 1, False, None
        if op == 0b1111:
            if hw & 0xF:
                return 1, False, "IT (ARMv7-M)"
            hint = (hw >> 4) & 0xF
            if hint > 4:
                return 1, False, f"hint {hint} (not in ARMv6-M)"
            return 1, hw == WFI, None  # NOP YIELD WFE WFI SEV
        return 1, False, "undefined miscellaneous encoding"
    if top5 in (0b11000, 0b11001):  # STM / LDM
        return 1 + bin(hw & 0xFF).count("1"), False, None
    if top5 in (0b11010, 0b11011):
        cond = (hw >> 8) & 0xF
        if cond == 0xE:
            return 1, False, "UDF (permanently undefined)"
        if cond == 0xF:  # SVC
            return 1, False, None
        return 2, False, None  # B<cond>, counted as taken
    if top5 == 0b11100:  # B
        return 2, False, None
    return 0, False, "truncated 32-bit instruction"


def _check32(hw1: int, hw2: int) -> tuple[int, bool, str | None]:
    if (hw1 & 0xF800) == 0xF000 and (hw2 & 0xD000) == 0xD000:  # BL
        return 3, False, None
    if (hw1 & 0xFFF0) == 0xF380 and (hw2 & 0xFF00) == 0x8800:  # MSR
        return 3, True, None
    if hw1 == 0xF3EF and (hw2 & 0xF000) == 0x8000:  # MRS
        return 3, False, None
    if hw1 == 0xF3BF and (hw2 & 0xFFF0) in (0x8F40, 0x8F50, 0x8F60):  # DSB DMB ISB
        return 3, False, None
    if (hw1 & 0xFFF0) == 0xF7F0 and (hw2 & 0xF000) == 0xA000:
        return 1, False, "UDF.W (permanently undefined)"
    return 1, False, f"32-bit Thumb-2 instruction {hw1:04X} {hw2:04X} (ARMv7-M, not on a Cortex-M0+)"


def decode_block(code: bytes, addr: int, wait_states: int) -> Decoded:
    """Check and cost the instructions of one block. `wait_states` applies to flash fetches."""
    cost = 0
    flags = 0
    count = 0
    i = 0
    n = len(code)
    while i + 1 < n:
        hw = code[i] | (code[i + 1] << 8)
        if (hw >> 11) >= 0b11101:
            if i + 3 >= n:
                return Decoded(cost, flags, f"at 0x{addr + i:08X}: truncated 32-bit instruction {hw:04X}", count)
            hw2 = code[i + 2] | (code[i + 3] << 8)
            c, stop, problem = _check32(hw, hw2)
            if problem:
                return Decoded(cost, flags, f"at 0x{addr + i:08X}: {problem}", count)
            i += 4
        else:
            c, stop, problem = _cost16(hw)
            if problem:
                return Decoded(cost, flags, f"at 0x{addr + i:08X}: {hw:04X} {problem}", count)
            i += 2
        cost += c
        count += 1
        if stop:
            flags |= FLAG_STOP_AFTER
    fetch = wait_states * ((n + 3) // 4) if addr < 0x20000000 else 0
    return Decoded(cost, flags, None, count, fetch)
