"""
Clock system: PM (bus clock gates, CPU divider, reset cause), SYSCTRL (oscillators, DFLL48M) and
GCLK (generators and peripheral channels). What the models enforce (samd21-facts.md section 2):

* PM: a peripheral whose APB gate is closed cannot be accessed (checked on every access by the
  memory map). Reset values: APBA/APBB all open, APBC only the ADC (so every SERCOM starts gated).
* XOSC32K: with a crystal fitted it oscillates `crystal_start_s` after ENABLE and reports
  XOSC32KRDY after STARTUP further 32 kHz cycles (STARTUP code table of 2.2); with no crystal it
  never does. Configuration and ENABLE must come in separate writes (AC startup.c, datasheet
  15.6.3); ONDEMAND = 1 (its reset value) keeps it stopped until a generator requests it.
* DFLL48M: errata 9905 - writing DFLLVAL/DFLLMUL while the DFLL is on demand and not running never
  completes (DFLLRDY stays 0; reported as a hang). Closed loop locks only with a running reference:
  GCLK channel 0 (from XOSC32K through a generator) or, with USBCRM, USB start-of-frame packets.
  Coarse lock after 16 reference periods and fine lock after 64 more (assumption: the datasheet
  lock times were not in the reference). Unlocked with WAITLOCK = 1 the output is gated. The
  output is MUL x f_ref when locked, otherwise the open-loop frequency (48 MHz off by
  `dfll_open_loop_error`, an assumption). `dfll_never_locks` makes the closed loop on the GCLK
  reference never lock (a bad crystal, for the fallback test); USB clock recovery still locks.
* GCLK: a generator runs only if enabled and its source runs; a channel delivers a clock only with
  CLKEN and a running generator. SYNCBUSY clears three cycles of the slowest clock involved after
  a write, so a write toward a source that does not run never synchronises.
"""
from .errors import EmulatorFault
from .regs import Peripheral, merge

FS = 10 ** 15
SRC_XOSC, SRC_GCLKIN, SRC_GCLKGEN1, SRC_OSCULP32K, SRC_OSC32K, SRC_XOSC32K, SRC_OSC8M, SRC_DFLL48M, SRC_FDPLL = range(9)
SRC_NAMES = ["XOSC", "GCLKIN", "GCLKGEN1", "OSCULP32K", "OSC32K", "XOSC32K", "OSC8M", "DFLL48M", "FDPLL96M"]
XOSC32K_STARTUP_CYCLES = [0, 32, 2048, 4096, 16384, 32768, 65536, 131072]


class PowerManager(Peripheral):
    name = "PM"
    apb = ("A", 1)

    def __init__(self, m, base=0x40000400):
        super().__init__(m, base)
        d = self.define
        d(0x00, 1, "CTRL", lambda: 0, lambda v, k: None)
        d(0x01, 1, "SLEEP", lambda: self.sleep, lambda v, k: setattr(self, "sleep", merge(self.sleep, v, k) & 3))
        d(0x08, 1, "CPUSEL", lambda: self.cpusel, self._cpusel)
        for i, reg in enumerate(("APBASEL", "APBBSEL", "APBCSEL")):
            d(0x09 + i, 1, reg, lambda i=i: self.apbsel[i], lambda v, k, i=i: self._apbsel(i, v, k))
        d(0x14, 4, "AHBMASK", lambda: self.ahb, lambda v, k: setattr(self, "ahb", merge(self.ahb, v, k) & 0x7F))
        d(0x18, 4, "APBAMASK", lambda: self.masks["A"], lambda v, k: self._mask("A", v, k, 0x7F))
        d(0x1C, 4, "APBBMASK", lambda: self.masks["B"], lambda v, k: self._mask("B", v, k, 0x7F))
        d(0x20, 4, "APBCMASK", lambda: self.masks["C"], lambda v, k: self._mask("C", v, k, 0x3FFFFF))
        d(0x34, 1, "INTENCLR", lambda: 0, lambda v, k: None)
        d(0x35, 1, "INTENSET", lambda: 0, lambda v, k: None)
        d(0x36, 1, "INTFLAG", lambda: 1, lambda v, k: None)
        d(0x38, 1, "RCAUSE", lambda: self.rcause, None)
        self.rcause = 0x01  # power-on
        self.reset()

    def reset(self) -> None:
        self.sleep = 0
        self.cpusel = 0
        self.apbsel = [0, 0, 0]
        self.ahb = 0x7F
        self.masks = {"A": 0x7F, "B": 0x7F, "C": 0x00010000}

    def _mask(self, bus, v, k, valid) -> None:
        self.masks[bus] = merge(self.masks[bus], v, k) & valid

    def _cpusel(self, v, k) -> None:
        self.cpusel = merge(self.cpusel, v, k) & 7
        self.m.clocks_changed()

    def _apbsel(self, i, v, k) -> None:
        self.apbsel[i] = merge(self.apbsel[i], v, k) & 7

    def apb_open(self, bus: str, bit: int) -> bool:
        return bool((self.masks[bus] >> bit) & 1)


class SystemController(Peripheral):
    name = "SYSCTRL"
    apb = ("A", 2)

    def __init__(self, m, base=0x40000800, crystal_start_s=0.3, dfll_open_loop_error=0.01, dfll_never_locks=False):
        super().__init__(m, base)
        self.crystal_start_s = crystal_start_s
        self.open_loop_error = dfll_open_loop_error
        self.dfll_never_locks = dfll_never_locks
        d = self.define
        d(0x00, 4, "INTENCLR", lambda: 0, lambda v, k: None)
        d(0x04, 4, "INTENSET", lambda: 0, lambda v, k: None)
        d(0x08, 4, "INTFLAG", self._pclksr, lambda v, k: None)
        d(0x0C, 4, "PCLKSR", self._pclksr, None)
        d(0x10, 2, "XOSC", lambda: self.xosc, self._xosc_write)
        d(0x14, 2, "XOSC32K", lambda: self.xosc32k, self._xosc32k_write)
        d(0x18, 4, "OSC32K", lambda: self.osc32k, self._osc32k_write)
        d(0x1C, 1, "OSCULP32K", lambda: 0x1F, lambda v, k: None)
        d(0x20, 4, "OSC8M", lambda: self.osc8m, self._osc8m_write)
        d(0x24, 2, "DFLLCTRL", lambda: self.dfllctrl, self._dfllctrl_write)
        d(0x28, 4, "DFLLVAL", self._dfllval_read, self._dfllval_write)
        d(0x2C, 4, "DFLLMUL", lambda: self.dfllmul, self._dfllmul_write)
        d(0x30, 1, "DFLLSYNC", lambda: 0, lambda v, k: None)
        d(0x34, 4, "BOD33", lambda: self.bod33, lambda v, k: setattr(self, "bod33", merge(self.bod33, v, k)))
        d(0x3C, 2, "VREG", lambda: self.vreg, lambda v, k: setattr(self, "vreg", merge(self.vreg, v, k)))
        d(0x40, 4, "VREF", lambda: self.vref, lambda v, k: setattr(self, "vref", merge(self.vref, v, k)))
        self.reset()

    def reset(self) -> None:
        self.xosc = 0x0080
        self.xosc32k = 0x0080
        self.osc32k = 0x003F0080
        self.osc8m = 0x87070382
        self.dfllctrl = 0x0080
        self.dfllval = 0
        self.dfllmul = 0
        self.bod33 = 0
        self.vreg = 0
        self.vref = 0
        self.xosc32k_ready_at = None  # fs, or None (not starting)
        self.osc32k_ready = False
        self.dfll_rdy_at = 0
        self.dfll_hung = None         # message when errata 9905 has struck
        self.lock_coarse = False
        self.lock_fine = False
        self.lock_events = []
        self.sof_count = 0
        self.locked_reported = False

    def next_change(self, now: int) -> int | None:
        return min((t for t in (self.dfll_rdy_at, self.xosc32k_ready_at) if t and t > now), default=None)

    # ---- PCLKSR
    def _pclksr(self) -> int:
        now = self.m.now()
        v = 1 << 3  # OSC8MRDY
        if self.xosc32k_running(now):
            v |= 1 << 1
        if self.osc32k_ready:
            v |= 1 << 2
        if self.dfll_hung is None and now >= self.dfll_rdy_at:
            v |= 1 << 4
        if self.lock_fine:
            v |= 1 << 6
        if self.lock_coarse:
            v |= 1 << 7
        v |= 1 << 9  # BOD33RDY
        return v

    # ---- XOSC (not fitted on any of the boards)
    def _xosc_write(self, v, k) -> None:
        self.xosc = merge(self.xosc, v, k) & 0xFFFF
        if self.xosc & 2:
            raise self.fault("xosc-not-fitted", "XOSC (external crystal oscillator) enabled, but none of the boards fits a main crystal")

    # ---- XOSC32K
    def _xosc32k_write(self, v, k) -> None:
        old = self.xosc32k
        new = merge(old, v, k) & 0x17FE
        config_changed = (old ^ new) & ~0x0002
        enabling = not old & 2 and new & 2
        if enabling and config_changed:
            raise self.fault("xosc32k-enable-with-config",
                             f"XOSC32K configured and enabled in one write (0x{old:04X} -> 0x{new:04X}): "
                             "write STARTUP/XTALEN/EN32K first and ENABLE separately (datasheet 15.6.3, AC startup.c)")
        self.xosc32k = new
        if enabling:
            if not new & 4:
                raise self.fault("xosc32k-external-clock", "XOSC32K enabled without XTALEN: the boards have a crystal, not an external clock")
            if self.crystal_start_s is None:
                self.xosc32k_ready_at = None
                self.m.report("clock", t=self.m.now_s(), event="xosc32k-enabled", crystal="absent")
            else:
                startup = XOSC32K_STARTUP_CYCLES[(new >> 8) & 7]
                self.xosc32k_ready_at = self.m.now() + int(self.crystal_start_s * FS) + startup * FS // 32768
                self.m.at(self.xosc32k_ready_at, self.m.clocks_changed)
        elif old & 2 and not new & 2:
            self.xosc32k_ready_at = None
        self.m.clocks_changed()

    def xosc32k_running(self, now=None) -> bool:
        if not self.xosc32k & 2 or self.xosc32k_ready_at is None:
            return False
        if self.xosc32k & 0x80 and not self.m.gclk.source_requested(SRC_XOSC32K):
            return False  # ONDEMAND and nobody asks for it
        return (self.m.now() if now is None else now) >= self.xosc32k_ready_at

    def _osc32k_write(self, v, k) -> None:
        self.osc32k = merge(self.osc32k, v, k)
        self.osc32k_ready = bool(self.osc32k & 2)
        self.m.clocks_changed()

    def _osc8m_write(self, v, k) -> None:
        new = merge(self.osc8m, v, k)
        if not new & 2:
            raise self.fault("osc8m-disabled", "OSC8M disabled: not modelled (the firmware never needs it off)")
        self.osc8m = new
        self.m.clocks_changed()

    def osc8m_hz(self) -> float:
        return 8_000_000 / (1 << ((self.osc8m >> 8) & 3))

    # ---- DFLL48M
    def dfll_enabled(self) -> bool:
        return bool(self.dfllctrl & 2) or (bool(self.dfllctrl & 0x80) and self.m.gclk.source_requested(SRC_DFLL48M))

    def _dfll_sync(self) -> None:
        self.dfll_rdy_at = self.m.now() + 2 * FS // 1_000_000

    def _check_errata_9905(self, reg: str) -> None:
        if self.dfllctrl & 0x80 and not self.dfllctrl & 2 and not self.m.gclk.source_requested(SRC_DFLL48M):
            self.dfll_hung = (f"{reg} written while the DFLL is on demand (DFLLCTRL.ONDEMAND = 1, its reset value) and not "
                              "running: errata 9905, the write never synchronises and DFLLRDY stays 0. Write "
                              "DFLLCTRL = ENABLE first.")
            self.m.report("clock", t=self.m.now_s(), event="errata-9905", register=reg)

    def _dfllctrl_write(self, v, k) -> None:
        old = self.dfllctrl
        self.dfllctrl = merge(old, v, k) & 0x0FFE
        self._dfll_sync()
        if (old ^ self.dfllctrl) & 0x0F26:
            self._restart_lock()
        self.m.clocks_changed()

    def _dfllval_read(self) -> int:
        return self.dfllval & 0xFFFF

    def _dfllval_write(self, v, k) -> None:
        self._check_errata_9905("DFLLVAL")
        self.dfllval = merge(self.dfllval, v, k) & 0xFFFF
        self._dfll_sync()
        self.m.clocks_changed()

    def _dfllmul_write(self, v, k) -> None:
        self._check_errata_9905("DFLLMUL")
        self.dfllmul = merge(self.dfllmul, v, k)
        self._dfll_sync()
        self._restart_lock()
        self.m.clocks_changed()

    def _closed_loop(self) -> bool:
        return bool(self.dfllctrl & 4)

    def _usb_crm(self) -> bool:
        return bool(self.dfllctrl & 0x20)

    def _restart_lock(self) -> None:
        for ev in self.lock_events:
            ev.cancel()
        self.lock_events = []
        self.lock_coarse = bool(self.dfllctrl & 0x400)  # BPLCKC: coarse lock bypassed
        self.lock_fine = False
        self.sof_count = 0
        self.locked_reported = False
        if not (self.dfll_enabled() and self._closed_loop()) or self._usb_crm() or self.dfll_never_locks:
            return
        ref = self.m.gclk.channel_hz(0)
        if ref <= 0:
            return
        period = int(FS / ref)
        self.lock_events.append(self.m.after(16 * period, self._coarse_locked))
        self.lock_events.append(self.m.after(80 * period, self._fine_locked))

    def reference_changed(self) -> None:
        """The DFLL reference channel (GCLK 0) started or stopped."""
        if self._closed_loop() and not self._usb_crm() and not self.lock_fine:
            if not self.lock_events or all(e.cancelled for e in self.lock_events):
                self._restart_lock()
        if self._closed_loop() and not self._usb_crm() and self.m.gclk.channel_hz(0) <= 0:
            for ev in self.lock_events:
                ev.cancel()
            self.lock_events = []
            if self.lock_fine or self.lock_coarse:
                self.lock_coarse = self.lock_fine = False
                self.m.clocks_changed()

    def _coarse_locked(self) -> None:
        self.lock_coarse = True

    def _fine_locked(self) -> None:
        self.lock_coarse = True
        self.lock_fine = True
        self._report_lock("reference clock")
        self.m.clocks_changed()

    def usb_sof(self) -> None:
        """A start-of-frame reached the USB peripheral (clock recovery reference)."""
        if self.dfll_enabled() and self._closed_loop() and self._usb_crm():
            self.sof_count += 1
            if self.sof_count >= 2:
                self.lock_coarse = True
            if self.sof_count >= 8 and not self.lock_fine:
                self.lock_fine = True
                self._report_lock("USB start-of-frame")
                self.m.clocks_changed()

    def _report_lock(self, ref: str) -> None:
        if not self.locked_reported:
            self.locked_reported = True
            self.m.report("clock", t=self.m.now_s(), event="dfll-locked", reference=ref, hz=self.dfll_hz())

    def dfll_hz(self) -> float:
        if not self.dfll_enabled():
            return 0.0
        mul = self.dfllmul & 0xFFFF
        if self._closed_loop() and self.lock_fine:
            ref = 1000.0 if self._usb_crm() else self.m.gclk.channel_hz(0)
            if ref > 0 and mul:
                return mul * ref
        if self._closed_loop() and self.dfllctrl & 0x800 and not self.lock_fine:
            return 0.0  # WAITLOCK: output gated until locked
        return 48_000_000 * (1 + self.open_loop_error)

    def dfll_accurate(self) -> bool:
        return self._closed_loop() and self.lock_fine


class GenericClock(Peripheral):
    name = "GCLK"
    apb = ("A", 3)
    N_GEN = 9
    N_CH = 0x25

    def __init__(self, m, base=0x40000C00):
        super().__init__(m, base)
        d = self.define
        d(0x0, 1, "CTRL", lambda: 1 if self._swrst_busy() else 0, self._ctrl_write)
        d(0x1, 1, "STATUS", lambda: 0x80 if self._busy() else 0, None)
        d(0x2, 2, "CLKCTRL", self._clkctrl_read, self._clkctrl_write)
        d(0x4, 4, "GENCTRL", self._genctrl_read, self._genctrl_write)
        d(0x8, 4, "GENDIV", self._gendiv_read, self._gendiv_write)
        self.reset()

    def reset(self) -> None:
        self.genctrl = [0] * self.N_GEN
        self.gendiv = [0] * self.N_GEN
        self.genctrl[0] = (SRC_OSC8M << 8) | (1 << 16)
        self.genctrl[2] = (SRC_OSCULP32K << 8) | 2 | (1 << 16)
        self.clkctrl = [0] * self.N_CH
        self.clkctrl[0x03] = (2 << 8) | (1 << 14) | 0x03  # WDT <- generator 2
        self.sel_ch = 0
        self.sel_gen = 0
        self.sync_until = 0
        self.sync_waits_for = None  # (what, function returning the clock hz) while a sync cannot finish
        self.swrst_until = 0

    def next_change(self, now: int) -> int | None:
        return min((t for t in (self.sync_until, self.swrst_until) if t and t > now), default=None)

    # ---- synchronisation
    def _busy(self) -> bool:
        if self.sync_waits_for is not None:
            if self.sync_waits_for[1]() > 0:
                self.sync_until = self.m.now() + self._sync_time(self.sync_waits_for[1]())
                self.sync_waits_for = None
            else:
                return True
        return self.m.now() < self.sync_until

    def _swrst_busy(self) -> bool:
        return self.m.now() < self.swrst_until

    def _sync_time(self, hz: float) -> int:
        cpu = max(self.m.cpu_hz, 1)
        return int(3 * FS / hz + 3 * FS / cpu)

    def _start_sync(self, what: str, clock) -> None:
        hz = clock()
        if hz > 0:
            self.sync_until = self.m.now() + self._sync_time(hz)
            self.sync_waits_for = None
        else:
            self.sync_waits_for = (what, clock)
            self.m.report("clock", t=self.m.now_s(), event="gclk-sync-stalled", reason=what)

    # ---- registers
    def _ctrl_write(self, v, k) -> None:
        if v & k & 1:
            self.reset()
            self.swrst_until = self.m.now() + self._sync_time(self.m.cpu_hz)
            self.sync_until = self.swrst_until
            self.m.clocks_changed()

    def _clkctrl_read(self) -> int:
        return self.clkctrl[self.sel_ch] | self.sel_ch

    def _clkctrl_write(self, v, k) -> None:
        ch = v & 0x3F if k & 0xFF else self.sel_ch
        self.sel_ch = ch
        if k & 0xFF00 == 0:
            return  # an 8-bit write of ID selects the channel to read
        if ch >= self.N_CH:
            raise self.fault("gclk-channel", f"CLKCTRL.ID 0x{ch:02X} is not a GCLK channel of the SAM D21")
        old = self.clkctrl[ch]
        if old & 0x8000:
            return  # WRTLOCK
        self.clkctrl[ch] = merge(old | ch, v, k) & 0xCF3F
        gen = (self.clkctrl[ch] >> 8) & 0xF
        self._start_sync(f"channel 0x{ch:02X} <- generator {gen} (source not running)", lambda: self.gen_hz(gen))
        self.m.clocks_changed()

    def _genctrl_read(self) -> int:
        return self.genctrl[self.sel_gen] | self.sel_gen

    def _genctrl_write(self, v, k) -> None:
        gid = v & 0xF if k & 0xFF else self.sel_gen
        self.sel_gen = gid
        if k & 0xFFFFFF00 == 0:
            return
        if gid >= self.N_GEN:
            raise self.fault("gclk-generator", f"GENCTRL.ID {gid}: the SAM D21 has generators 0..8")
        new = merge(self.genctrl[gid] | gid, v, k) & 0x003F1F0F
        src = (new >> 8) & 0x1F
        if new & (1 << 16):
            if src in (SRC_XOSC, SRC_GCLKIN, SRC_FDPLL) or src > SRC_FDPLL:
                raise self.fault("gclk-source", f"generator {gid} enabled with source {SRC_NAMES[src] if src < 9 else src}, which the boards do not provide or the emulator does not model")
            if src == SRC_GCLKGEN1 and gid == 1:
                raise self.fault("gclk-source", "generator 1 cannot take GCLKGEN1 as its own source")
        old_hz = self.gen_hz(gid)
        self.genctrl[gid] = new
        if new & (1 << 16):
            self._start_sync(f"generator {gid} <- {SRC_NAMES[src] if src < 9 else src} (source not running)",
                             lambda: self.gen_hz(gid))
        else:
            self._start_sync(f"generator {gid} disabled", lambda: old_hz or self.m.cpu_hz)
        if gid == 0 and new & (1 << 16) and self.gen_hz(0) <= 0:
            raise self.fault("cpu-clock-stopped",
                             f"generator 0 (CPU clock) switched to {SRC_NAMES[src]}, which is not running: the CPU stops")
        self.m.clocks_changed()

    def _gendiv_read(self) -> int:
        return (self.gendiv[self.sel_gen] << 8) | self.sel_gen

    def _gendiv_write(self, v, k) -> None:
        gid = v & 0xF if k & 0xFF else self.sel_gen
        self.sel_gen = gid
        if k & 0xFFFFFF00 == 0:
            return
        if gid >= self.N_GEN:
            raise self.fault("gclk-generator", f"GENDIV.ID {gid}: the SAM D21 has generators 0..8")
        self.gendiv[gid] = (merge((self.gendiv[gid] << 8) | gid, v, k) >> 8) & 0xFFFF
        self._start_sync(f"generator {gid} divider", lambda: self.gen_hz(gid) or self.m.cpu_hz)
        self.m.clocks_changed()

    # ---- the clock tree
    def source_hz(self, src: int, depth: int = 0) -> float:
        sc = self.m.sysctrl
        if src == SRC_OSC8M:
            return sc.osc8m_hz()
        if src == SRC_OSCULP32K:
            return 32768.0
        if src == SRC_OSC32K:
            return 32768.0 if sc.osc32k_ready else 0.0
        if src == SRC_XOSC32K:
            return 32768.0 if sc.xosc32k_running() else 0.0
        if src == SRC_DFLL48M:
            return sc.dfll_hz()
        if src == SRC_GCLKGEN1 and depth == 0:
            return self.gen_hz(1, depth + 1)
        return 0.0

    def gen_hz(self, gid: int, depth: int = 0) -> float:
        g = self.genctrl[gid]
        if not g & (1 << 16):
            return 0.0
        hz = self.source_hz((g >> 8) & 0x1F, depth)
        div = self.gendiv[gid]
        if g & (1 << 20):
            return hz / (1 << (div + 1))
        return hz / div if div > 1 else hz

    def channel_hz(self, ch: int) -> float:
        c = self.clkctrl[ch]
        if not c & (1 << 14):
            return 0.0
        return self.gen_hz((c >> 8) & 0xF)

    def channel_generator(self, ch: int) -> int:
        return (self.clkctrl[ch] >> 8) & 0xF

    def source_requested(self, src: int) -> bool:
        """Is the source used by an enabled generator (what ONDEMAND oscillators wait for)?"""
        for gid in range(self.N_GEN):
            g = self.genctrl[gid]
            if g & (1 << 16) and (g >> 8) & 0x1F == src:
                return True
        return False
