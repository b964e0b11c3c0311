"""
Cortex-M0+ system control space (0xE000E000): SysTick, NVIC and the SCB registers the firmware
uses (CPUID, ICSR, VTOR, AIRCR with SYSRESETREQ, SCR, CCR, SHPR2/3, SHCSR). ARMv6-M rules that
the model enforces: NVIC priority registers are word-accessible only, VTOR keeps bits 31:7, AIRCR
writes need the 0x05FA key. SysTick runs on the CPU clock (CLKSOURCE = 1); it is modelled as
continuing to count while the CPU sleeps in WFI (idle sleep).
"""
from .errors import EmulatorFault
from .regs import Peripheral, merge

SYSTICK = 15
PENDSV = 14
SVCALL = 11
CPUID_CM0PLUS = 0x410CC601


class SystemControl(Peripheral):
    name = "SCS"
    size = 0x1000

    def __init__(self, m, base=0xE000E000):
        super().__init__(m, base)
        self.lines = 0       # peripheral interrupt lines asserted now (bit per IRQ), kept by set_line()
        d = self.define
        d(0x010, 4, "SYST_CSR", self._csr_read, self._csr_write)
        d(0x014, 4, "SYST_RVR", lambda: self.rvr, self._rvr_write)
        d(0x018, 4, "SYST_CVR", self._cvr_read, self._cvr_write)
        d(0x01C, 4, "SYST_CALIB", lambda: 0, None)
        d(0x100, 4, "NVIC_ISER", lambda: self.enabled, lambda v, m: self._set_enabled(self.enabled | (v & m)))
        d(0x180, 4, "NVIC_ICER", lambda: self.enabled, lambda v, m: self._set_enabled(self.enabled & ~(v & m)))
        d(0x200, 4, "NVIC_ISPR", self._pending_word, self._ispr_write)
        d(0x280, 4, "NVIC_ICPR", self._pending_word, self._icpr_write)
        for k in range(8):
            d(0x400 + 4 * k, 4, f"NVIC_IPR{k}", lambda k=k: self.ipr[k], lambda v, m, k=k: self._ipr_write(k, v, m))
        d(0xD00, 4, "CPUID", lambda: CPUID_CM0PLUS, None)
        d(0xD04, 4, "ICSR", self._icsr_read, self._icsr_write)
        d(0xD08, 4, "VTOR", lambda: self.vtor, self._vtor_write)
        d(0xD0C, 4, "AIRCR", lambda: 0xFA050000, self._aircr_write)
        d(0xD10, 4, "SCR", lambda: self.scr, lambda v, m: setattr(self, "scr", merge(self.scr, v, m) & 0x16))
        d(0xD14, 4, "CCR", lambda: 0x00000208, None)
        d(0xD1C, 4, "SHPR2", lambda: self.shpr2, lambda v, m: setattr(self, "shpr2", merge(self.shpr2, v, m) & 0xC0000000))
        d(0xD20, 4, "SHPR3", lambda: self.shpr3, lambda v, m: setattr(self, "shpr3", merge(self.shpr3, v, m) & 0xC0C00000))
        d(0xD24, 4, "SHCSR", lambda: 0x8000 if SVCALL in self.pending_sys else 0, None)
        self.reset()

    def reset(self) -> None:
        self.csr = 0
        self.rvr = 0
        self._st_start = 0      # time the counter was (re)loaded
        self._st_period = 0     # fs per wrap
        self._st_event = None
        self._countflag = False
        self.enabled = 0
        self.sw_pending = 0
        self.ipr = [0] * 8
        self.vtor = 0
        self.scr = 0
        self.shpr2 = 0
        self.shpr3 = 0
        self.pending_sys: set[int] = set()

    # ---- word-only NVIC priority access (ARMv6-M)
    def read(self, offset, size):
        if 0x400 <= offset < 0x420 and size != 4:
            raise self.fault("nvic-ipr-width", f"{size * 8}-bit access to NVIC_IPR at 0xE000E{offset:03X}: "
                             "ARMv6-M allows word accesses only (HardFault on a Cortex-M0+)")
        return super().read(offset, size)

    def write(self, offset, size, value):
        if 0x400 <= offset < 0x420 and size != 4:
            raise self.fault("nvic-ipr-width", f"{size * 8}-bit access to NVIC_IPR at 0xE000E{offset:03X}: "
                             "ARMv6-M allows word accesses only (HardFault on a Cortex-M0+)")
        super().write(offset, size, value)

    # ---- SysTick
    def _csr_read(self) -> int:
        flag = self._countflag
        if flag:
            self.m.io_touched = True
        self._countflag = False
        return (self.csr & 7) | (0x10000 if flag else 0)

    def _csr_write(self, value, mask) -> None:
        old = self.csr
        self.csr = merge(self.csr, value, mask) & 7
        if self.csr & 1 and not self.csr & 4:
            raise self.fault("systick-clksource", "SysTick with CLKSOURCE = 0 (external reference) is not available on the SAM D21 model")
        if (old ^ self.csr) & 1:
            if self.csr & 1:
                self._st_start = self.m.now()
                self._schedule_systick(first=True)
            elif self._st_event:
                self._st_event.cancel()
                self._st_event = None

    def _rvr_write(self, value, mask) -> None:
        self.rvr = merge(self.rvr, value, mask) & 0xFFFFFF

    def _cvr_read(self) -> int:
        if not self.csr & 1 or not self._st_period:
            return 0
        elapsed_cycles = (self.m.now() - self._st_start) // self.m._fs_per_cycle
        return (self.rvr - elapsed_cycles % (self.rvr + 1)) & 0xFFFFFF

    def _cvr_write(self, value, mask) -> None:
        self._countflag = False
        if self.csr & 1:
            self._st_start = self.m.now()
            self._schedule_systick(first=True)

    def _schedule_systick(self, first=False) -> None:
        if self._st_event:
            self._st_event.cancel()
        if self.rvr == 0:
            self._st_event = None
            return
        self._st_period = (self.rvr + 1) * self.m._fs_per_cycle
        self._st_event = self.m.at(self._st_start + self._st_period, self._systick_wrap)

    def _systick_wrap(self) -> None:
        self._countflag = True
        if self.csr & 2:
            self.pending_sys.add(SYSTICK)
        self._st_start += self._st_period
        self._schedule_systick()

    def cpu_clock_changed(self) -> None:
        if self.csr & 1 and self._st_event:
            self._st_start = self.m.now()
            self._schedule_systick()

    # ---- NVIC
    def _set_enabled(self, v: int) -> None:
        self.enabled = v & 0x0FFFFFFF
        self.m.check_interrupts()

    def set_line(self, irq: int, level: bool) -> None:
        if level:
            self.lines |= 1 << irq
        else:
            self.lines &= ~(1 << irq)

    def _pending_word(self) -> int:
        return self.sw_pending | self.lines

    def _ispr_write(self, v, mask) -> None:
        self.sw_pending |= v & mask & 0x0FFFFFFF
        self.m.check_interrupts()

    def _icpr_write(self, v, mask) -> None:
        self.sw_pending &= ~(v & mask)

    def _ipr_write(self, k, v, mask) -> None:
        self.ipr[k] = merge(self.ipr[k], v, mask) & 0xC0C0C0C0

    # ---- SCB
    def _icsr_read(self) -> int:
        vect = self.active[-1] if self.active else 0
        pend = self._highest_pending(ignore_mask=True)
        return vect | ((pend or 0) << 12) | (0x04000000 if SYSTICK in self.pending_sys else 0) | \
            (0x10000000 if PENDSV in self.pending_sys else 0)

    def _icsr_write(self, v, mask) -> None:
        v &= mask
        if v & (1 << 26):
            self.pending_sys.add(SYSTICK)
        if v & (1 << 25):
            self.pending_sys.discard(SYSTICK)
        if v & (1 << 28):
            self.pending_sys.add(PENDSV)
        if v & (1 << 27):
            self.pending_sys.discard(PENDSV)
        if v & (1 << 31):
            raise self.fault("nmi-not-modelled", "NMIPENDSET written: NMI is not modelled")
        self.m.check_interrupts()

    def _vtor_write(self, v, mask) -> None:
        self.vtor = merge(self.vtor, v, mask) & 0xFFFFFF80
        if v & mask & 0x7F:
            self.m.trace(f"VTOR written with low bits 0x{v & 0x7F:X}: ignored by silicon (TBLOFF is bits 31:7)")

    def _aircr_write(self, v, mask) -> None:
        if mask != 0xFFFFFFFF or (v >> 16) != 0x05FA:
            self.m.trace(f"AIRCR write 0x{v:08X} without the 0x05FA key ignored")
            return
        if v & 4:
            self.m.request_reset("SYSRESETREQ")

    # ---- exception selection
    def priority(self, number: int) -> int:
        if number == SYSTICK:
            return self.shpr3 >> 24
        if number == PENDSV:
            return (self.shpr3 >> 16) & 0xFF
        if number == SVCALL:
            return self.shpr2 >> 24
        irq = number - 16
        return (self.ipr[irq // 4] >> (8 * (irq % 4))) & 0xFF

    def _candidates(self):
        for n in self.pending_sys:
            yield n
        word = self._pending_word() & self.enabled
        n = 0
        while word:
            if word & 1 and (16 + n) not in self.active:
                yield 16 + n
            word >>= 1
            n += 1

    def _highest_pending(self, ignore_mask: bool) -> int | None:
        best = None
        best_p = 1 << 16
        for n in self._candidates():
            p = self.priority(n)
            if p < best_p or (p == best_p and n < best):
                best, best_p = n, p
        return best

    def any_pending(self) -> bool:
        return bool(self.pending_sys) or bool(self._pending_word() & self.enabled)

    def execution_priority(self, primask: int) -> int:
        if primask & 1:
            return 0
        if not self.active:
            return 256
        return min(self.priority(n) for n in self.active)

    def next_exception(self, primask: int) -> int | None:
        best = self._highest_pending(ignore_mask=False)
        if best is None:
            return None
        if self.priority(best) < self.execution_priority(primask):
            return best
        return None

    def wakeup_pending(self) -> bool:
        best = self._highest_pending(ignore_mask=True)
        return best is not None and self.priority(best) < self.execution_priority(0)

    @property
    def active(self) -> list[int]:
        """Exceptions being handled (the stack lives in emu_native.c)."""
        return self.m.active()

    def activate(self, number: int) -> None:
        if number in (SYSTICK, PENDSV):
            self.pending_sys.discard(number)
        elif number >= 16:
            self.sw_pending &= ~(1 << (number - 16))

    def irq_asserted(self, irq: int) -> bool:
        return bool((self.enabled >> irq) & 1)
