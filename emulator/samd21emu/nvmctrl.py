"""
NVMCTRL: wait states against the CPU clock, row erase with BOOTPROT, page-buffer clear.

Wait states (samd21-facts.md 2.2, [unconfirmed] datasheet table): at VDD above 2.7 V the flash
needs RWS >= 1 above 24 MHz and runs at most 48 MHz with RWS = 1; each further wait state is
taken to allow 24 MHz more (assumption: the flash access time stays the same). Running faster than
the programmed wait states allow is reported as a fault the moment the clock or RWS changes:
silicon fetches wrong instructions from then on. A CPU clock above the SAM D21's 48 MHz maximum
(an open-loop DFLL can land there) is reported, not refused. Each 32-bit flash fetch costs RWS
extra cycles.
Row erase: ADDR holds the byte address / 2; rows below the BOOTPROT size are refused with LOCKE;
an erase takes ERASE_S (assumption) during which READY is 0. Other commands are not modelled.
"""
from .regs import Peripheral, merge

FS = 10 ** 15
ROW = 256
ERASE_S = 0.006          # row erase time (assumption: a few ms, datasheet value not in the reference)
HZ_PER_WAIT_STATE = 24_000_000   # RWS = n allows (n + 1) x 24 MHz
CPU_MAX_HZ = 48_000_000
HZ_TOLERANCE = 1.001     # the DFLL's 1465 x 32768 Hz = 48.005 MHz counts as 48 MHz


class NvmController(Peripheral):
    name = "NVMCTRL"
    apb = ("B", 2)

    def __init__(self, m, base=0x41004000, bootprot=7):
        super().__init__(m, base)
        self.bootprot = bootprot
        d = self.define
        d(0x00, 2, "CTRLA", lambda: 0, self._ctrla_write)
        d(0x04, 4, "CTRLB", lambda: self.ctrlb, self._ctrlb_write)
        d(0x08, 4, "PARAM", lambda: 4096 | (3 << 16), None)
        d(0x0C, 1, "INTENCLR", lambda: self.inten, lambda v, k: setattr(self, "inten", self.inten & ~(v & k)))
        d(0x10, 1, "INTENSET", lambda: self.inten, lambda v, k: setattr(self, "inten", self.inten | (v & k & 3)))
        d(0x14, 1, "INTFLAG", self._intflag, self._intflag_write)
        d(0x18, 2, "STATUS", lambda: self.status, self._status_write)
        d(0x1C, 4, "ADDR", lambda: self.addr, lambda v, k: setattr(self, "addr", merge(self.addr, v, k) & 0x3FFFFF))
        d(0x20, 2, "LOCK", lambda: 0xFFFF, None)
        self.reset()

    def reset(self) -> None:
        self.ctrlb = 0
        self.inten = 0
        self.error = False
        self.status = 0
        self.addr = 0
        self.busy_until = 0
        self.overclock_reported = False
        self.m.set_wait_states(0)

    def next_change(self, now: int) -> int | None:
        return min((t for t in (self.busy_until,) if t and t > now), default=None)

    def protected_bytes(self) -> int:
        return 0 if self.bootprot == 7 else (2 << (8 - self.bootprot)) * 64

    def _intflag(self) -> int:
        return (1 if self.m.now() >= self.busy_until else 0) | (2 if self.error else 0)

    def _intflag_write(self, v, k) -> None:
        if v & k & 2:
            self.error = False

    def _status_write(self, v, k) -> None:
        self.status &= ~(v & k & 0x1E)

    def _ctrlb_write(self, v, k) -> None:
        self.ctrlb = merge(self.ctrlb, v, k) & 0x000703DE
        self.m.set_wait_states((self.ctrlb >> 1) & 0xF, cache_off=bool(self.ctrlb & (1 << 18)))
        self.check_wait_states()

    def check_wait_states(self) -> None:
        rws = (self.ctrlb >> 1) & 0xF
        hz = self.m.cpu_hz
        if hz > (rws + 1) * HZ_PER_WAIT_STATE * HZ_TOLERANCE:
            need = int(hz / (HZ_PER_WAIT_STATE * HZ_TOLERANCE))
            raise self.fault("flash-wait-states",
                             f"CPU at {hz / 1e6:.3f} MHz with NVMCTRL CTRLB.RWS = {rws}: flash reads need RWS >= {need} "
                             "at this speed (samd21-facts.md 2.2); silicon fetches corrupt instructions")
        if hz > CPU_MAX_HZ * HZ_TOLERANCE and not self.overclock_reported:
            self.overclock_reported = True
            self.m.report("clock", t=self.m.now_s(), event="above-48-mhz", hz=round(hz),
                          detail="the CPU runs above the SAM D21's 48 MHz maximum (open-loop DFLL)")

    def _ctrla_write(self, v, k) -> None:
        if k != 0xFFFF:
            raise self.fault("nvm-ctrla-width", "CTRLA must be written as 16 bits (command and key together)")
        if (v >> 8) != 0xA5:
            self.status |= 1 << 2  # PROGE: wrong key
            self.error = True
            return
        if self.m.now() < self.busy_until:
            raise self.fault("nvm-busy", "NVMCTRL command issued while the previous one is still running (INTFLAG.READY = 0)")
        cmd = v & 0x7F
        if cmd == 0x44:  # PBC
            return
        if cmd == 0x02:  # ER
            start = (self.addr * 2) & ~(ROW - 1)
            if start < self.protected_bytes():
                self.status |= 1 << 3  # LOCKE
                self.error = True
                self.m.report("nvm", t=self.m.now_s(), event="erase-refused", address=f"0x{start:05X}",
                              reason=f"BOOTPROT protects the first {self.protected_bytes()} bytes")
                return
            self.m.uc.mem_write(start, b"\xFF" * ROW)
            self.m.flash_changed(start, start + ROW)
            self.busy_until = self.m.now() + int(ERASE_S * FS)
            self.m.report("nvm", t=self.m.now_s(), event="row-erased", address=f"0x{start:05X}")
            return
        raise self.fault("nvm-command", f"NVMCTRL command 0x{cmd:02X} is not modelled (only ER and PBC are)")
