"""
The SAM D21 machine: a Cortex-M0+ (unicorn) with the memory map, emulated time, the event
scheduler, exception entry/return and the run loop. Peripherals live in their own modules and
are wired here.

Time: the CPU clock is counted in cycles by the native block hook (emu_native.c); emulated time
(femtoseconds, an exact integer) is derived from the cycle count and the current CPU frequency,
and jumps forward while the CPU sleeps (WFI). Nothing reads the wall clock except the optional
throttle, which only ever delays: a sleeping CPU never runs ahead of real time, so a pty client or
a real TLS server sees a board that keeps real-time pace.
"""
import ctypes
import heapq
import os
import struct
import time

import unicorn
import unicorn.unicorn as unicorn_impl
from unicorn import arm_const as A

from . import thumb
from .errors import EmulatorFault

FS_PER_S = 10 ** 15
STOP_NONE, STOP_DEADLINE, STOP_AFTER_FLAGGED, STOP_FAULT, STOP_AT_PC, STOP_BAD_RETURN = 0, 1, 2, 3, 4, 5
PROBE_MIN_FS = 30 * 10 ** 9    # look for an idle loop only when the next deadline is 30 us away or more
PROBE_TURNS = 8                # returns to the probe's PC to wait for a state to recur

FLASH_SIZE = 0x40000
SRAM_BASE, SRAM_SIZE = 0x20000000, 0x8000
NVM_AUX_PAGES = (0x00804000, 0x00806000, 0x0080A000)  # user row, calibration, serial number


_SNAPSHOT_REGS = (A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3, A.UC_ARM_REG_R4, A.UC_ARM_REG_R5,
                  A.UC_ARM_REG_R6, A.UC_ARM_REG_R7, A.UC_ARM_REG_R8, A.UC_ARM_REG_R9, A.UC_ARM_REG_R10, A.UC_ARM_REG_R11,
                  A.UC_ARM_REG_R12, A.UC_ARM_REG_SP, A.UC_ARM_REG_LR, A.UC_ARM_REG_PC, A.UC_ARM_REG_XPSR,
                  A.UC_ARM_REG_PRIMASK, A.UC_ARM_REG_CONTROL)

NATIVE_LIB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "libsamd21emu.so")

_BLOCK_INFO_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_uint64, ctypes.c_uint32)
_BLOCK_HOOK_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_void_p)


class Event:
    __slots__ = ("time", "seq", "fn", "cancelled")

    def __init__(self, t: int, seq: int, fn):
        self.time = t
        self.seq = seq
        self.fn = fn
        self.cancelled = False

    def __lt__(self, other: "Event") -> bool:
        return (self.time, self.seq) < (other.time, other.seq)

    def cancel(self) -> None:
        self.cancelled = True


def load_native() -> ctypes.CDLL:
    if not os.path.exists(NATIVE_LIB):
        raise FileNotFoundError(f"{NATIVE_LIB} is missing: build it with 'make -C emulator'")
    lib = ctypes.CDLL(NATIVE_LIB)
    lib.emu_init.argtypes = [_BLOCK_INFO_FN]
    lib.emu_set_timebase.argtypes = [ctypes.c_uint64] * 4
    return lib


class Machine:
    def __init__(self, board, report, throttle: bool = True, trace: bool = False, idle_skip: bool = True):
        self.board = board
        self.report = report          # report(kind, **fields): one JSON line on stdout
        self.throttle = throttle
        self.tracing = trace
        self.lib = load_native()
        self._info_cb = _BLOCK_INFO_FN(self._block_info)
        self.lib.emu_init(self._info_cb)
        self.cycles = ctypes.c_uint64.in_dll(self.lib, "emu_cycles")
        self.stop_at = ctypes.c_uint64.in_dll(self.lib, "emu_stop_at")
        self.stop_reason = ctypes.c_int32.in_dll(self.lib, "emu_stop_reason")
        self.irq_pending_flag = ctypes.c_int32.in_dll(self.lib, "emu_irq_pending")
        self.probe_pc = ctypes.c_uint64.in_dll(self.lib, "emu_stop_pc")
        self.lib.emu_arm_probe.argtypes = [ctypes.c_uint64]
        self.lib.emu_request_stop_after_block.argtypes = [ctypes.c_int]
        self.lib.emu_probe_record.argtypes = [ctypes.c_void_p]
        self.lib.emu_exception_entry.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
        self.lib.emu_exception_entry.restype = ctypes.c_int32
        exc_ids = (ctypes.c_int32 * 11)(A.UC_ARM_REG_R0, A.UC_ARM_REG_R1, A.UC_ARM_REG_R2, A.UC_ARM_REG_R3,
                                        A.UC_ARM_REG_R12, A.UC_ARM_REG_LR, A.UC_ARM_REG_PC, A.UC_ARM_REG_XPSR,
                                        A.UC_ARM_REG_SP, A.UC_ARM_REG_IPSR, A.UC_ARM_REG_CONTROL)
        self.lib.emu_set_exception_registers(exc_ids)
        self.active_exceptions = (ctypes.c_int32 * 16).in_dll(self.lib, "emu_active")
        self.active_count = ctypes.c_int32.in_dll(self.lib, "emu_nactive")
        ctypes.c_int32.in_dll(self.lib, "emu_stop_after_return").value = 1 if idle_skip else 0
        self.probe_min_cycles = ctypes.c_uint64.in_dll(self.lib, "emu_probe_min_cycles")
        ids = (ctypes.c_int32 * len(_SNAPSHOT_REGS))(*_SNAPSHOT_REGS)
        self.lib.emu_probe_set_registers(ids, len(_SNAPSHOT_REGS))
        self.idle_skip = idle_skip
        self.io_touched = False       # a peripheral's state changed (idle probe)
        self.ram_dirty = False        # a peripheral wrote RAM (idle probe)
        self.recording_reads = False
        self.probe_reads = set()
        self.idle_skipped_fs = 0
        self.probe_backoff = 0
        self.probe_penalty = 0
        self.last_turn_fs = 0         # length of the last loop turn a probe measured

        self.uc = unicorn.Uc(unicorn.UC_ARCH_ARM, unicorn.UC_MODE_THUMB | unicorn.UC_MODE_MCLASS)
        self.uc.ctl_set_cpu_model(A.UC_CPU_ARM_CORTEX_M0)
        self.uc.mem_map(0, FLASH_SIZE, unicorn.UC_PROT_READ | unicorn.UC_PROT_EXEC)
        self.uc.mem_map(SRAM_BASE, SRAM_SIZE, unicorn.UC_PROT_ALL)
        for page in NVM_AUX_PAGES:
            self.uc.mem_map(page, 0x1000, unicorn.UC_PROT_READ)
        hook = ctypes.c_size_t()
        status = unicorn_impl._uc.uc_hook_add(self.uc._uch, ctypes.byref(hook), unicorn.UC_HOOK_BLOCK,
                                              ctypes.cast(self.lib.emu_block_hook, ctypes.c_void_p), None,
                                              ctypes.c_uint64(1), ctypes.c_uint64(0))
        if status != 0:
            raise RuntimeError(f"uc_hook_add(block) failed: {status}")
        status = unicorn_impl._uc.uc_hook_add(self.uc._uch, ctypes.byref(hook), unicorn.UC_HOOK_INTR,
                                              ctypes.cast(self.lib.emu_intr_hook, ctypes.c_void_p), None,
                                              ctypes.c_uint64(1), ctypes.c_uint64(0))
        if status != 0:
            raise RuntimeError(f"uc_hook_add(intr) failed: {status}")
        self.uc.hook_add(unicorn.UC_HOOK_INTR, self._on_interrupt)
        self.uc.hook_add(unicorn.UC_HOOK_MEM_INVALID, self._on_bad_access)

        # time
        self._anchor_cycles = 0
        self._anchor_fs = 0
        self._fs_per_cycle = FS_PER_S // 1_000_000
        self.cpu_hz = 1_000_000
        self.wait_states = 0
        self.nvm_cache_off = False
        self._events: list[Event] = []
        self._seq = 0
        self._wall0 = time.monotonic()

        self.fault: EmulatorFault | None = None
        self.halted = False
        self.sleeping = False
        self.stop_requested = False
        self.io_pollers = []          # called on every scheduler pass: real-world input
        self.blocks_checked = 0
        self.instructions_checked = 0
        self.page_handlers = {}
        self.peripherals = []
        self.on_system_reset = None   # fn(cause): the board's reset path (bootloader model)
        self.reset_pending = None
        self.in_emulation = False
        self.clock_listeners = []
        self._in_clock_update = False
        self._last_dfll_ref = 0.0

    # ------------------------------------------------------------------ diagnostics
    def trace(self, text: str) -> None:
        if self.tracing:
            self.report("trace", t=self.now_s(), text=text)

    def raise_fault(self, fault: EmulatorFault) -> None:
        """From inside a unicorn callback: record the fault and stop the CPU."""
        if self.fault is None:
            self.fault = fault
        self.uc.emu_stop()

    # ------------------------------------------------------------------ time
    def now(self) -> int:
        return self._anchor_fs + (self.cycles.value - self._anchor_cycles) * self._fs_per_cycle

    def now_s(self) -> float:
        return self.now() / FS_PER_S

    def _rebase(self, t_fs: int) -> None:
        self._anchor_cycles = self.cycles.value
        self._anchor_fs = t_fs
        self.lib.emu_set_timebase(self._anchor_cycles, t_fs >> 64, t_fs & ((1 << 64) - 1), self._fs_per_cycle)

    def set_cpu_hz(self, hz: float) -> None:
        """The main clock (GCLK generator 0) changed frequency."""
        if hz <= 0:
            raise EmulatorFault("cpu-clock-stopped", "the CPU clock (GCLK generator 0) has no running source")
        self._rebase(self.now())
        self.cpu_hz = hz
        self._fs_per_cycle = max(1, round(FS_PER_S / hz))
        self._rebase(self._anchor_fs)
        for p in self.peripherals:
            hook = getattr(p, "cpu_clock_changed", None)
            if hook:
                hook()

    def set_wait_states(self, rws: int, cache_off: bool = False) -> None:
        if rws != self.wait_states or cache_off != self.nvm_cache_off:
            self.wait_states = rws
            self.nvm_cache_off = cache_off
            self.lib.emu_forget_blocks()

    def cycles_for(self, duration_fs: int) -> int:
        return -(-duration_fs // self._fs_per_cycle)

    # ------------------------------------------------------------------ events
    def at(self, t_fs: int, fn) -> Event:
        self._seq += 1
        ev = Event(max(t_fs, self.now()), self._seq, fn)
        heapq.heappush(self._events, ev)
        return ev

    def after(self, delay_fs: int, fn) -> Event:
        return self.at(self.now() + delay_fs, fn)

    def every(self, period_fs: int, fn) -> None:
        """Call fn periodically on a fixed grid of emulated time (periodic models share their
        deadlines, which leaves longer stretches for idle-loop skipping)."""
        def tick():
            fn()
            self.at((self.now() // period_fs + 1) * period_fs, tick)
        self.at((self.now() // period_fs + 1) * period_fs, tick)

    def _next_event_time(self) -> int | None:
        while self._events and self._events[0].cancelled:
            heapq.heappop(self._events)
        return self._events[0].time if self._events else None

    def _fire_due(self) -> None:
        now = self.now()
        while self._events:
            ev = self._events[0]
            if ev.cancelled:
                heapq.heappop(self._events)
                continue
            if ev.time > now:
                break
            heapq.heappop(self._events)
            try:
                ev.fn()
            except EmulatorFault as fault:
                self.fault = self.fault or fault
            if self.fault or self.halted or self.reset_pending:
                return

    # ------------------------------------------------------------------ cross-peripheral signals
    def check_interrupts(self, source=None) -> None:
        """A peripheral may have raised an interrupt line: stop the CPU so it can be taken.

        Never uc.emu_stop() from a memory callback: unicorn then resumes at the start of the
        instruction (or block) that made the access and would repeat it. The native hook stops
        at the start of the next block instead, after the access completed."""
        if source is not None:
            source.update_irq()
        if not self.in_emulation:
            return
        if self.scs.next_exception(self.reg(A.UC_ARM_REG_PRIMASK)) is not None:
            self.lib.emu_request_stop_after_block(1)
        elif self.scs.wakeup_pending():
            self.irq_pending_flag.value = 1  # masked for now: stop once PRIMASK is cleared

    def request_reset(self, cause: str) -> None:
        self.reset_pending = cause
        if self.in_emulation:
            self.lib.emu_request_stop_after_block(1)

    def clocks_changed(self) -> None:
        if self._in_clock_update:
            return
        self._in_clock_update = True
        try:
            hz = self.gclk.gen_hz(0) / (1 << self.pm.cpusel)
            if hz <= 0:
                raise EmulatorFault("cpu-clock-stopped", "the CPU clock (GCLK generator 0) lost its source: the CPU stops")
            if abs(hz - self.cpu_hz) > 0.5:
                self.set_cpu_hz(hz)
                src = (self.gclk.genctrl[0] >> 8) & 0x1F
                self.report("clock", t=self.now_s(), event="cpu-clock", hz=round(hz), source=src)
            self.nvmctrl.check_wait_states()
            ref = self.gclk.channel_hz(0)
            if ref != self._last_dfll_ref:
                self._last_dfll_ref = ref
                self.sysctrl.reference_changed()
            for listener in self.clock_listeners:
                listener()
        finally:
            self._in_clock_update = False

    # ------------------------------------------------------------------ memory
    def map_page(self, page: int, read, write) -> None:
        self.uc.mmio_map(page, 0x1000, read, None, write, None)

    def read32(self, addr: int) -> int:
        return struct.unpack("<I", self.uc.mem_read(addr, 4))[0]

    def write32(self, addr: int, value: int) -> None:
        self.uc.mem_write(addr, struct.pack("<I", value & 0xFFFFFFFF))

    def ram_read(self, addr: int, n: int) -> bytes:
        if addr < SRAM_BASE or addr + n > SRAM_BASE + SRAM_SIZE:
            raise EmulatorFault("dma-outside-ram", f"a peripheral reads {n} bytes at 0x{addr:08X}, outside SRAM")
        return bytes(self.uc.mem_read(addr, n))

    def ram_write(self, addr: int, data: bytes) -> None:
        self.ram_dirty = True
        if addr < SRAM_BASE or addr + len(data) > SRAM_BASE + SRAM_SIZE:
            raise EmulatorFault("dma-outside-ram", f"a peripheral writes {len(data)} bytes at 0x{addr:08X}, outside SRAM")
        self.uc.mem_write(addr, data)

    def flash_changed(self, start: int, end: int) -> None:
        self.uc.ctl_remove_cache(start, end)
        self.lib.emu_forget_blocks()

    def _on_bad_access(self, uc, access, address, size, value, user) -> bool:
        pc = uc.reg_read(A.UC_ARM_REG_PC)
        kinds = {unicorn.UC_MEM_READ_UNMAPPED: "read", unicorn.UC_MEM_WRITE_UNMAPPED: "write",
                 unicorn.UC_MEM_FETCH_UNMAPPED: "instruction fetch", unicorn.UC_MEM_WRITE_PROT: "write",
                 unicorn.UC_MEM_FETCH_PROT: "instruction fetch", unicorn.UC_MEM_READ_PROT: "read"}
        what = kinds.get(access, f"access {access}")
        if access == unicorn.UC_MEM_WRITE_PROT and address < FLASH_SIZE:
            msg = f"store of {size} bytes to flash 0x{address:08X} at pc 0x{pc:08X}: flash is written through NVMCTRL page writes, which the emulator does not model"
        else:
            msg = f"{what} of {size} bytes at 0x{address:08X} (pc 0x{pc:08X}): nothing is mapped there, silicon raises a HardFault"
        self.fault = self.fault or EmulatorFault("bus-error", msg)
        return False

    # ------------------------------------------------------------------ CPU
    def _block_info(self, addr: int, size: int) -> int:
        try:
            code = bytes(self.uc.mem_read(addr, size))
        except unicorn.UcError:
            self.fault = self.fault or EmulatorFault("bus-error", f"instruction fetch at 0x{addr:08X}")
            return -1
        decoded = thumb.decode_block(code, addr, self.wait_states if addr < FLASH_SIZE else 0)
        if decoded.problem:
            self.fault = self.fault or EmulatorFault(
                "not-armv6m", f"instruction outside ARMv6-M (Cortex-M0+ takes a HardFault) {decoded.problem}")
            return -1
        self.blocks_checked += 1
        self.instructions_checked += decoded.count
        cost, first = decoded.cost, decoded.fetch_cycles
        if self.nvm_cache_off:
            cost, first = cost + first, 0
        return min(cost, 0x0FFF) | (min(first, 0xF) << 12) | (decoded.flags << 16)

    def reg(self, r: int) -> int:
        return self.uc.reg_read(r)

    def pc(self) -> int:
        return self.uc.reg_read(A.UC_ARM_REG_PC)

    def cpu_reset(self, vector_base: int) -> None:
        """Core reset: MSP and PC from the vector table at `vector_base`, registers cleared."""
        msp = self.read32(vector_base)
        entry = self.read32(vector_base + 4)
        if not entry & 1:
            raise EmulatorFault("bad-vector", f"reset vector 0x{entry:08X} at 0x{vector_base + 4:08X} has no Thumb bit")
        for r in range(A.UC_ARM_REG_R0, A.UC_ARM_REG_R12 + 1):
            self.uc.reg_write(r, 0)
        self.uc.reg_write(A.UC_ARM_REG_LR, 0xFFFFFFFF)
        self.uc.reg_write(A.UC_ARM_REG_PRIMASK, 0)
        self.uc.reg_write(A.UC_ARM_REG_CONTROL, 0)
        self.uc.reg_write(A.UC_ARM_REG_IPSR, 0)
        self.uc.reg_write(A.UC_ARM_REG_XPSR, 0x01000000)
        self.uc.reg_write(A.UC_ARM_REG_MSP, msp)
        self.uc.reg_write(A.UC_ARM_REG_SP, msp)
        self.uc.reg_write(A.UC_ARM_REG_PC, entry | 1)
        self.scs.vtor = vector_base
        self.active_count.value = 0
        self.sleeping = False

    def exception_entry(self, number: int) -> None:
        """Take exception `number` (stacking, vector fetch: emu_native.c)."""
        if self.reg(A.UC_ARM_REG_CONTROL) & 2:
            raise EmulatorFault("psp-not-modelled", "exception taken while running on the process stack (PSP)")
        status = self.lib.emu_exception_entry(self.uc._uch, number, self.scs.vtor)
        if status == -1:
            raise EmulatorFault("stack-overflow", f"exception {number}: stacking below SP 0x{self.reg(A.UC_ARM_REG_SP):08X} hits unmapped memory")
        if status == -2:
            vector = self.scs.vtor + 4 * number
            raise EmulatorFault("bad-vector", f"vector {number} at 0x{vector:08X} is 0x{self.read32(vector):08X} (no Thumb bit): HardFault on silicon")
        if status == -3:
            raise EmulatorFault("nesting", f"exception {number}: more than 16 exceptions nested")
        self.scs.activate(number)
        self.sleeping = False

    def active(self) -> list[int]:
        return list(self.active_exceptions[:self.active_count.value])

    def _on_interrupt(self, uc, intno, user) -> None:
        if intno == 8:  # EXCP_EXCEPTION_EXIT: bx to an EXC_RETURN value, handled in emu_native.c
            return
        names = {1: "undefined instruction", 2: "SVC", 7: "BKPT"}
        pc = uc.reg_read(A.UC_ARM_REG_PC)
        self.fault = self.fault or EmulatorFault("cpu-exception", f"{names.get(intno, f'CPU exception {intno}')} at pc 0x{pc:08X} (HardFault on silicon)")
        uc.emu_stop()

    # ------------------------------------------------------------------ idle loops
    def _next_lazy_change(self, now: int) -> int | None:
        """Earliest future time a register read would change without an event (status bits)."""
        best = None
        for p in self.peripherals:
            t = p.next_change(now)
            if t is not None and t > now and (best is None or t < best):
                best = t
        return best

    def _idle_probe(self, deadline: int | None, limit: int | None = None) -> bool:
        """Look for an idle loop: run the CPU from its current PC until it comes back there, a few
        times; if a state (every register, all of RAM) recurs with no peripheral touched, the CPU
        is going round a loop that cannot change anything before the next deadline, so jump
        there (the CPU would only repeat those turns). Returns True when it ran the CPU."""
        if not self.idle_skip or deadline is None or self.sleeping:
            return False
        now = self.now()
        if deadline - now < PROBE_MIN_FS or self.scs.active or self.reg(A.UC_ARM_REG_IPSR):
            return False
        if self.probe_backoff:
            self.probe_backoff -= 1
            return False
        if deadline - now < 4 * self.last_turn_fs:
            self.last_turn_fs //= 2  # forget slowly: loops change
            return False  # a probe needs at least two turns: too little left to gain
        lazy = self._next_lazy_change(now)
        if lazy is not None and lazy - now < PROBE_MIN_FS:
            return False
        pc = self.pc()
        self.lib.emu_probe_reset()
        self.lib.emu_probe_record(self.uc._uch)
        self.io_touched = False
        self.probe_reads = set()
        self.recording_reads = True
        try:
            return self._probe_turns(pc, deadline, limit)
        finally:
            self.recording_reads = False

    def _probe_turns(self, pc: int, deadline: int, limit: int | None) -> bool:
        started = self.now()
        for turn in range(PROBE_TURNS):
            self.lib.emu_arm_probe(pc)
            self.stop_at.value = self._anchor_cycles + self.cycles_for(deadline - self._anchor_fs)
            self.stop_reason.value = STOP_NONE
            self.irq_pending_flag.value = 0
            self.in_emulation = True
            try:
                self.uc.emu_start(pc | 1, 0xFFFFFFFF)
            except unicorn.UcError as error:
                self.fault = self.fault or EmulatorFault("cpu-error", f"{error} at pc 0x{self.pc():08X}")
            finally:
                self.in_emulation = False
                self.probe_pc.value = (1 << 64) - 1
            if self.fault or self.reset_pending or self.stop_reason.value != STOP_AT_PC:
                self._after_emulation()
                return True
            if self.io_touched or self.scs.wakeup_pending():
                self._probe_failed()
                return True
            recorded = self.lib.emu_probe_record(self.uc._uch)
            if recorded == 1:
                self.last_turn_fs = (self.now() - started) // (turn + 1)
                self.probe_penalty = 0
                self.recording_reads = False
                self._skip_idle(deadline, limit)
                return True
            if recorded < 0:
                break
        self._probe_failed()
        return True

    def _probe_failed(self) -> None:
        """Busy code: probe less often (up to one chance in 64) until a probe succeeds."""
        self.probe_penalty = min(64, self.probe_penalty * 2 + 1)
        self.probe_backoff = self.probe_penalty

    def _skip_idle(self, deadline: int, limit: int | None) -> None:
        """The CPU is in a loop whose state recurs. Jump from deadline to deadline for as long as
        nothing the loop reads changes: the registers it read during the probe, RAM (no peripheral
        wrote it) and pending exceptions."""
        watch = [(p, off, size) for p, off, size in self.probe_reads]
        values = [p.read(off, size) for p, off, size in watch]
        self.ram_dirty = False
        self.io_touched = False
        target = deadline
        while True:
            now = self.now()
            lazy = self._next_lazy_change(now)
            if lazy is not None:
                target = min(target, lazy)
            if target <= now:
                return
            self._throttle_until(target)
            self.cycles.value += self.cycles_for(target - now)
            self.idle_skipped_fs += target - now
            self._fire_due()
            if self.fault or self.halted or self.reset_pending or self.stop_requested or self.sleeping:
                return
            if self.ram_dirty or self.io_touched or self.scs.wakeup_pending():
                return
            if [p.read(off, size) for p, off, size in watch] != values:
                return
            nxt = self._next_event_time()
            if nxt is None or (limit is not None and nxt > limit):
                return
            if nxt - self.now() < PROBE_MIN_FS:
                return
            target = nxt

    def _after_emulation(self) -> None:
        if self.stop_reason.value == STOP_BAD_RETURN:
            self.fault = self.fault or EmulatorFault("bad-exception-return", f"branch to an EXC_RETURN value in thread mode (pc 0x{self.pc():08X}): HardFault on silicon")
            return
        if self.stop_reason.value == STOP_NONE and not self.stop_requested and not self.reset_pending and not self.fault:
            pc = self.pc()
            try:
                prev = struct.unpack("<H", self.uc.mem_read(pc - 2, 2))[0]
            except unicorn.UcError:
                prev = None
            if prev == thumb.WFI:
                self.sleeping = True

    # ------------------------------------------------------------------ run loop
    def _throttle_until(self, t_fs: int) -> None:
        """Sleep (real time) until the wall clock reaches emulated time t. Input from the PC waits
        at most one short nap (a pty with no program attached reads as ready, so no select())."""
        if not self.throttle:
            return
        target = self._wall0 + t_fs / FS_PER_S
        while True:
            left = target - time.monotonic()
            if left <= 0.0005:
                return
            time.sleep(min(left, 0.002))

    def run(self, until_s: float | None = None) -> None:
        """Run until the machine halts, faults, stop() is called, or emulated time reaches until_s."""
        limit = None if until_s is None else int(until_s * FS_PER_S)
        while not self.halted and self.fault is None and not self.stop_requested:
            if self.reset_pending:
                cause, self.reset_pending = self.reset_pending, None
                try:
                    self.on_system_reset(cause)
                except EmulatorFault as fault:
                    self.fault = fault
                    break
                continue
            self._fire_due()
            if self.fault or self.halted:
                break
            for poll in self.io_pollers:
                poll()
            if limit is not None and self.now() >= limit:
                break
            nxt = self._next_event_time()
            if self.sleeping:
                if self.scs.wakeup_pending():
                    self.sleeping = False
                else:
                    if nxt is None:
                        self._throttle_until(self.now() + FS_PER_S // 100)
                        continue
                    if limit is not None and nxt > limit:
                        nxt = limit
                    self._throttle_until(nxt)
                    if nxt > self.now():
                        self._rebase(nxt)
                    continue
            elif nxt is not None and self.throttle:
                # busy CPU: keep emulated time from running ahead of the wall clock
                ahead = self.now() / FS_PER_S - (time.monotonic() - self._wall0)
                if ahead > 0.02:
                    self._throttle_until(self.now())
            number = self.scs.next_exception(self.reg(A.UC_ARM_REG_PRIMASK)) if self.scs.any_pending() else None
            if number:
                try:
                    self.exception_entry(number)
                except EmulatorFault as fault:
                    self.fault = fault
                    break
            deadline = nxt if limit is None or (nxt is not None and nxt < limit) else limit
            if self._idle_probe(deadline, limit):
                continue
            self.stop_at.value = self._anchor_cycles + (self.cycles_for(deadline - self._anchor_fs) if deadline is not None else 1 << 62)
            self.probe_min_cycles.value = self.cycles_for(max(PROBE_MIN_FS, 4 * self.last_turn_fs))
            self.stop_reason.value = STOP_NONE
            self.irq_pending_flag.value = 1 if self.scs.wakeup_pending() else 0
            pc = self.pc()
            self.in_emulation = True
            try:
                self.uc.emu_start(pc | 1, 0xFFFFFFFF)
            except unicorn.UcError as error:
                self.in_emulation = False
                if self.fault is None:
                    self.fault = EmulatorFault("cpu-error", f"{error} at pc 0x{self.pc():08X}")
                break
            self.in_emulation = False
            if self.fault:
                break
            self._after_emulation()
        if self.fault:
            self.report("fault", t=self.now_s(), fault=self.fault.kind, message=self.fault.message, pc=f"0x{self.pc():08X}")
