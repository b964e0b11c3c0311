"""
EIC: external interrupt lines from pins routed with PMUX function A. Edge detection needs the
EIC enabled and its generic clock (channel 0x05) running; CTRL writes synchronise through that
clock, so writing CTRL without it is a fault. Line x comes from pin x mod 16 (PA08 is the NMI).
"""
from .regs import Peripheral, merge

GCLK_EIC = 0x05
IRQ_EIC = 4


class ExternalInterruptController(Peripheral):
    name = "EIC"
    apb = ("A", 6)
    irq = IRQ_EIC

    def __init__(self, m, base=0x40001800):
        super().__init__(m, base)
        d = self.define
        d(0x00, 1, "CTRL", lambda: self.ctrl | (1 if self._busy() and self.ctrl & 1 else 0), self._ctrl_write)
        d(0x01, 1, "STATUS", lambda: 0x80 if self._busy() else 0, None)
        d(0x02, 1, "NMICTRL", lambda: self.nmictrl, self._nmictrl)
        d(0x03, 1, "NMIFLAG", lambda: 0, lambda v, k: None)
        d(0x04, 4, "EVCTRL", lambda: self.evctrl, self._evctrl)
        d(0x08, 4, "INTENCLR", lambda: self.inten, lambda v, k: self._set_inten(self.inten & ~(v & k)))
        d(0x0C, 4, "INTENSET", lambda: self.inten, lambda v, k: self._set_inten(self.inten | (v & k & 0xFFFF)))
        d(0x10, 4, "INTFLAG", lambda: self.intflag, self._intflag_write)
        d(0x14, 4, "WAKEUP", lambda: self.wakeup, lambda v, k: setattr(self, "wakeup", merge(self.wakeup, v, k) & 0xFFFF))
        d(0x18, 4, "CONFIG0", lambda: self.config[0], lambda v, k: self._config(0, v, k))
        d(0x1C, 4, "CONFIG1", lambda: self.config[1], lambda v, k: self._config(1, v, k))
        self.lines: dict[int, tuple[int, int]] = {}  # extint -> (g, p), filled from the pins routed to the EIC
        self.reset()

    def reset(self) -> None:
        self.ctrl = 0
        self.nmictrl = 0
        self.evctrl = 0
        self.inten = 0
        self.intflag = 0
        self.wakeup = 0
        self.config = [0, 0]
        self.sync_until = 0
        self.levels: dict[int, int] = {}
        self.update_irq()

    def next_change(self, now: int) -> int | None:
        return min((t for t in (self.sync_until,) if t and t > now), default=None)

    def _busy(self) -> bool:
        return self.m.now() < self.sync_until

    def _clock_hz(self) -> float:
        return self.m.gclk.channel_hz(GCLK_EIC)

    def _ctrl_write(self, v, k) -> None:
        hz = self._clock_hz()
        if hz <= 0:
            raise self.fault("unclocked", "CTRL written while the EIC's generic clock (GCLK channel 0x05) is off: "
                             "the write never synchronises (STATUS.SYNCBUSY stays 1)")
        self.sync_until = self.m.now() + int(3 * 10 ** 15 / hz + 3 * 10 ** 15 / self.m.cpu_hz)
        if v & k & 1:
            self.reset()
            self.sync_until = self.m.now() + int(3 * 10 ** 15 / hz)
            self.ctrl = 1
            return
        self.ctrl = merge(self.ctrl, v, k) & 2
        self.sample_all()

    def _nmictrl(self, v, k) -> None:
        self.nmictrl = merge(self.nmictrl, v, k) & 0xF
        if self.nmictrl & 7:
            raise self.fault("nmi-not-modelled", "NMICTRL.NMISENSE set: the NMI line is not modelled")

    def _evctrl(self, v, k) -> None:
        self.evctrl = merge(self.evctrl, v, k)
        if self.evctrl:
            raise self.fault("evsys-not-modelled", "EIC event outputs (EVCTRL) are not modelled")

    def _set_inten(self, v) -> None:
        self.inten = v
        self.m.check_interrupts(self)

    def _intflag_write(self, v, k) -> None:
        self.intflag &= ~(v & k)

    def _config(self, i, v, k) -> None:
        self.config[i] = merge(self.config[i], v, k)
        self.sample_all()

    def irq_line(self) -> bool:
        return bool(self.intflag & self.inten)

    def sense(self, line: int) -> int:
        return (self.config[line // 8] >> (4 * (line % 8))) & 7

    def sample_all(self) -> None:
        for line in list(self.lines):
            self.sample(line)

    def sample(self, line: int) -> None:
        """Evaluate line `line` from its pin's level (called when the pin or the config changes)."""
        pin = self.lines.get(line)
        level = self.m.port.level(*pin) if pin else 0
        old = self.levels.get(line)
        self.levels[line] = level
        if not self.ctrl & 2:
            return
        s = self.sense(line)
        edge_ok = self._clock_hz() > 0
        hit = False
        if s == 1 and old == 0 and level == 1 and edge_ok:
            hit = True
        elif s == 2 and old == 1 and level == 0 and edge_ok:
            hit = True
        elif s == 3 and old is not None and old != level and edge_ok:
            hit = True
        elif s == 4 and level == 1:
            hit = True
        elif s == 5 and level == 0:
            hit = True
        if hit and not (self.intflag >> line) & 1:
            self.intflag |= 1 << line
            self.m.check_interrupts(self)
