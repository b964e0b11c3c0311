"""
SERCOM in USART (internal clock) and SPI master modes.

Clocking: registers are reachable only with the SERCOM's APB gate open (PM APBCMASK bit 2+n);
SWRST, ENABLE and CTRLB synchronise through the core generic clock (GCLK channel 0x14+n), so
writing them while that channel is off is a fault. CTRLA, CTRLB and BAUD are enable-protected:
changing them while ENABLE = 1 is a fault.

USART: frames are paced at the programmed baud, computed from the core clock (arithmetic or
fractional BAUD, 16x/8x/3x oversampling). TX goes out through the pad selected by TXPO, RX comes
in through RXPO; the pads reach the board only through pins whose PMUX function maps them.
DORD = 0 sends MSB first (garbage for a UART receiver). A receiver more than 2.5 % off the
sender's baud takes framing errors (assumption for 8N1).

SPI master: DOPO/DIPO select the MOSI, SCK and MISO pads; each byte takes 8 SCK periods
(f_ref / (2 (BAUD + 1))). The slave sees a byte only if SCK and MOSI reach its pins, and its CS
pin is driven low; MISO is read from the DIPO pad (0xFF when nothing drives it). RXC sets only
with CTRLB.RXEN; a third unread byte sets BUFOVF.
"""
from .boards import SERCOM_PADS, pin_name
from .errors import EmulatorFault
from .regs import Peripheral, merge

FS = 10 ** 15
UART_TOLERANCE = 0.025
DOPO_PADS = {0: (0, 1), 1: (2, 3), 2: (3, 1), 3: (0, 3)}   # DOPO -> (MOSI/DO pad, SCK pad)
TXPO_PAD = {0: 0, 1: 2, 2: 0}


class Sercom(Peripheral):
    def __init__(self, m, n: int):
        super().__init__(m, 0x42000800 + 0x400 * n)
        self.n = n
        self.name = f"SERCOM{n}"
        self.apb = ("C", 2 + n)
        self.gclk_id = 0x14 + n
        self.irq = 9 + n
        self.uart_peer = None   # object with .receive(byte, baud, dord_ok) when the TX pad reaches a net
        self.spi_slave = None   # object with .exchange(byte) -> byte and .selected() -> bool
        d = self.define
        d(0x00, 4, "CTRLA", self._ctrla_read, self._ctrla_write)
        d(0x04, 4, "CTRLB", lambda: self.ctrlb, self._ctrlb_write)
        d(0x0C, 2, "BAUD", lambda: self.baud, self._baud_write)
        d(0x0E, 1, "RXPL", lambda: 0, lambda v, k: None)
        d(0x14, 1, "INTENCLR", lambda: self.inten, lambda v, k: self._set_inten(self.inten & ~(v & k)))
        d(0x16, 1, "INTENSET", lambda: self.inten, lambda v, k: self._set_inten(self.inten | (v & k)))
        d(0x18, 1, "INTFLAG", self._intflag_read, self._intflag_write)
        d(0x1A, 2, "STATUS", lambda: self.status, self._status_write)
        d(0x1C, 4, "SYNCBUSY", self._syncbusy, None)
        d(0x24, 4, "ADDR", lambda: 0, lambda v, k: None)
        d(0x28, 4, "DATA", self._data_read, self._data_write)
        d(0x30, 1, "DBGCTRL", lambda: 0, lambda v, k: None)
        self.reset()

    def reset(self) -> None:
        self.ctrla = 0
        self.ctrlb = 0
        self.baud = 0
        self.inten = 0
        self.status = 0
        self.swrst_until = 0
        self.sync_until = 0
        self.sync_bits = 0
        # USART
        self.tx_shift_end = 0       # time the byte in the shifter is out
        self.tx_buffer = None       # byte waiting in DATA
        self.txc = False
        self.rx_fifo: list[int] = []
        self.rxs = False
        self.tx_event = None
        # SPI
        self.spi_rx: list[tuple[int, int]] = []  # (ready time, byte)
        self.spi_busy_until = 0
        self.spi_last_start = 0
        self.route_version = -1
        self.uart_route_key = None
        self.uart_route = (None, None)
        self.route_problem = None
        self.reported_route = None
        self.irq_event = None
        if hasattr(self.m, "scs"):
            self.update_irq()

    def next_change(self, now: int) -> int | None:
        times = [self.tx_shift_end, self.spi_busy_until, self.spi_last_start, self.sync_until, self.swrst_until]
        times += [t for t, _ in self.spi_rx]
        return min((t for t in times if t and t > now), default=None)

    # ---------------------------------------------------------------- clocks
    def core_hz(self) -> float:
        return self.m.gclk.channel_hz(self.gclk_id)

    def _sync(self, bits: int, what: str) -> None:
        hz = self.core_hz()
        if hz <= 0:
            gen = self.m.gclk.channel_generator(self.gclk_id)
            raise self.fault("unclocked", f"{what} written while the core clock (GCLK channel 0x{self.gclk_id:02X}, "
                             f"generator {gen}) is off: the write never synchronises (SYNCBUSY stays set)")
        self.sync_until = self.m.now() + int(3 * FS / hz + 3 * FS / self.m.cpu_hz)
        self.sync_bits |= bits

    def _syncbusy(self) -> int:
        if self.m.now() >= self.sync_until:
            self.sync_bits = 0
        return self.sync_bits

    def mode(self) -> int:
        return (self.ctrla >> 2) & 7

    def enabled(self) -> bool:
        return bool(self.ctrla & 2)

    # ---------------------------------------------------------------- control registers
    def _ctrla_read(self) -> int:
        v = self.ctrla
        if self.m.now() < self.swrst_until:
            v |= 1
        return v

    def _ctrla_write(self, v, k) -> None:
        new = merge(self.ctrla, v, k)
        if new & 1:
            self._sync(1, "CTRLA.SWRST")
            until = self.sync_until
            self.reset()
            self.swrst_until = self.sync_until = until
            self.sync_bits = 1
            self.m.check_interrupts(self)
            return
        if self.m.now() < self.swrst_until:
            raise self.fault("write-during-reset", "CTRLA written while SWRST is still synchronising")
        was_enabled = self.enabled()
        if was_enabled and (new ^ self.ctrla) & ~0x3:
            raise self.fault("enable-protected", f"CTRLA changed from 0x{self.ctrla:08X} to 0x{new:08X} while ENABLE = 1 "
                             "(enable-protected: silicon ignores it)")
        if (new ^ self.ctrla) & 2:
            self._sync(2, "CTRLA.ENABLE")
            if new & 2:
                mode = (new >> 2) & 7
                if mode not in (1, 3):
                    raise self.fault("mode-not-modelled", f"enabled in mode {mode}: only USART with internal clock (1) and SPI master (3) are modelled")
        self.ctrla = new & 0x7FFF3F9F
        self.route_version = -1
        if self.enabled() and self.mode() == 1 and not was_enabled:
            self._uart_enabled()
        self.m.check_interrupts(self)

    def _ctrlb_write(self, v, k) -> None:
        new = merge(self.ctrlb, v, k) & 0x0003E3F7
        if self.enabled():
            if (new ^ self.ctrlb) & ~(0x3 << 16):
                raise self.fault("enable-protected", "CTRLB changed (other than TXEN/RXEN) while ENABLE = 1")
            self._sync(4, "CTRLB")
        else:
            self._sync(4, "CTRLB") if self.core_hz() > 0 else None
        self.ctrlb = new

    def _baud_write(self, v, k) -> None:
        if self.enabled():
            raise self.fault("enable-protected", "BAUD written while ENABLE = 1")
        self.baud = merge(self.baud, v, k) & 0xFFFF

    def _set_inten(self, v) -> None:
        self.inten = v & 0xBF
        self._arm_irq_event()
        self.m.check_interrupts(self)

    def _status_write(self, v, k) -> None:
        self.status &= ~(v & k & 0x37)

    # ---------------------------------------------------------------- flags and the IRQ line
    def _intflag_read(self) -> int:
        now = self.m.now()
        if self.mode() == 1:
            self._uart_advance(now)
            f = 0
            if self.enabled() and self.ctrlb & (1 << 16) and self.tx_buffer is None:
                f |= 1
            if self.txc:
                f |= 2
            if self.rx_fifo:
                f |= 4
            if self.status & 0x7:
                f |= 0x80
            return f
        if self.mode() == 3:
            f = 0
            if self.enabled():
                if now >= self.spi_last_start:
                    f |= 1
                if any(t <= now for t, _ in self.spi_rx) and self.ctrlb & (1 << 17):
                    f |= 4
                if now >= self.spi_busy_until and self.spi_busy_until:
                    f |= 2
            return f
        return 0

    def _intflag_write(self, v, k) -> None:
        v &= k
        if self.mode() == 1 and v & 2:
            self.txc = False
        if self.mode() == 3 and v & 2:
            self.spi_busy_until = 0

    def irq_line(self) -> bool:
        return bool(self.inten and (self._intflag_read() & self.inten))

    def _arm_irq_event(self) -> None:
        """Interrupt-driven use: make sure the CPU is stopped when a flag it waits for sets."""
        if self.irq_event:
            self.irq_event.cancel()
            self.irq_event = None
        if not self.inten:
            return
        now = self.m.now()
        times = []
        if self.mode() == 1:
            if self.tx_shift_end > now:
                times.append(self.tx_shift_end)
        elif self.mode() == 3:
            times += [t for t, _ in self.spi_rx if t > now]
            if self.spi_busy_until > now:
                times.append(self.spi_busy_until)
        if times:
            self.irq_event = self.m.at(min(times), self._irq_tick)

    def _irq_tick(self) -> None:
        self.irq_event = None
        self._intflag_read()
        self._arm_irq_event()
        self.m.check_interrupts(self)

    # ---------------------------------------------------------------- pads and pins
    def pad_pins(self) -> dict[int, tuple[int, int]]:
        """pad -> the pin that carries it (PMUXEN with the function mapping this SERCOM's pad)."""
        pads = {}
        port = self.m.port
        for (g, p), funcs in SERCOM_PADS.items():
            if not port.exists(g, p):
                continue
            f = port.function(g, p)
            if f in funcs and funcs[f][0] == self.n:
                pads[funcs[f][1]] = (g, p)
        return pads

    # ---------------------------------------------------------------- DATA
    def _data_read(self) -> int:
        now = self.m.now()
        if self.mode() == 1:
            self._uart_advance(now)
            if not self.rx_fifo:
                return 0
            b = self.rx_fifo.pop(0)
            self.m.io_touched = True
            self.m.check_interrupts(self)
            return b
        if self.mode() == 3:
            for i, (t, b) in enumerate(self.spi_rx):
                if t <= now:
                    del self.spi_rx[i]
                    self.m.io_touched = True
                    return b
            return 0
        return 0

    def _data_write(self, v, k) -> None:
        if not self.enabled():
            self.m.trace(f"{self.name}: DATA written while disabled: ignored")
            return
        if self.mode() == 1:
            self._uart_write(v & 0x1FF)
        elif self.mode() == 3:
            self._spi_write(v & 0xFF)

    # ---------------------------------------------------------------- USART
    def uart_baud(self) -> float:
        f_ref = self.core_hz()
        sampr = (self.ctrla >> 13) & 7
        s = {0: 16, 1: 16, 2: 8, 3: 8, 4: 3}.get(sampr, 16)
        if sampr in (1, 3):  # fractional
            whole = self.baud & 0x1FFF
            fp = (self.baud >> 13) & 7
            div = s * (whole + fp / 8)
            return f_ref / div if div else 0.0
        return f_ref * (65536 - self.baud) / (s * 65536)

    def uart_frame_bits(self) -> int:
        chsize = self.ctrlb & 7
        data = {0: 8, 5: 5, 6: 6, 7: 7, 1: 9}.get(chsize, 8)
        parity = 1 if ((self.ctrla >> 24) & 0xF) == 1 else 0
        stop = 2 if self.ctrlb & (1 << 6) else 1
        return 1 + data + parity + stop

    def _uart_enabled(self) -> None:
        self.tx_shift_end = 0
        self.tx_buffer = None

    def _uart_route(self):
        """(TX pin, RX pin): the pins TXPO/RXPO's pads reach, None where no pin carries the pad."""
        key = (self.m.port.config_version, self.ctrla)
        if self.uart_route_key != key:
            pads = self.pad_pins()
            txpo = (self.ctrla >> 16) & 3
            rxpo = (self.ctrla >> 20) & 3
            self.uart_route = (pads.get(TXPO_PAD.get(txpo, -1)), pads.get(rxpo))
            self.uart_route_key = key
        return self.uart_route

    def _uart_write(self, byte: int) -> None:
        if not self.ctrlb & (1 << 16):
            self.m.trace(f"{self.name}: DATA written with TXEN = 0: ignored")
            return
        now = self.m.now()
        self._uart_advance(now)
        if self.tx_buffer is not None:
            self.m.trace(f"{self.name}: DATA written while DRE = 0: byte lost")
            return
        if self.tx_shift_end <= now:
            self._uart_shift_out(byte, now)
        else:
            self.tx_buffer = byte
        self._arm_irq_event()

    def _uart_shift_out(self, byte: int, start: int) -> None:
        baud = self.uart_baud()
        if baud <= 0:
            raise self.fault("unclocked", "USART transmits with no core clock")
        self.tx_shift_end = start + int(self.uart_frame_bits() * FS / baud)
        self.txc = False
        tx_pin, _ = self._uart_route()
        if self.uart_peer is not None:
            self.uart_peer.line_byte(self, tx_pin, byte, baud, bool(self.ctrla & (1 << 30)), self.tx_shift_end)

    def _uart_advance(self, now: int) -> None:
        while self.tx_shift_end and now >= self.tx_shift_end:
            if self.tx_buffer is not None:
                b = self.tx_buffer
                self.tx_buffer = None
                self._uart_shift_out(b, self.tx_shift_end)
            else:
                self.txc = True
                self.tx_shift_end = 0
                break

    def uart_receive(self, rx_pin, byte: int, sender_baud: float) -> None:
        """A complete frame arrived on the net wired to `rx_pin` (called at the frame's end)."""
        if not (self.enabled() and self.mode() == 1 and self.ctrlb & (1 << 17)):
            return
        _, my_rx = self._uart_route()
        if my_rx != rx_pin:
            return
        baud = self.uart_baud()
        if baud <= 0 or abs(baud - sender_baud) / sender_baud > UART_TOLERANCE:
            self.status |= 0x2  # FERR
            byte = (byte >> 1) | 0x80
        if not self.ctrla & (1 << 30):
            byte = int(f"{byte:08b}"[::-1], 2)
        if len(self.rx_fifo) >= 2:
            self.status |= 0x4  # BUFOVF
            return
        self.rx_fifo.append(byte)
        self.m.check_interrupts(self)

    # ---------------------------------------------------------------- SPI master
    def spi_byte_time(self) -> int:
        f_ref = self.core_hz()
        if f_ref <= 0:
            raise self.fault("unclocked", "SPI transfer with no core clock")
        return int(8 * 2 * ((self.baud & 0xFF) + 1) * FS / f_ref)

    def _spi_route(self):
        """Check once per configuration that DO/SCK/DI reach the slave's MOSI/SCK/MISO."""
        if self.route_version == self.m.port.config_version:
            return self.route_problem
        self.route_version = self.m.port.config_version
        slave = self.spi_slave
        if slave is None:
            self.route_problem = "no SPI device is wired to this SERCOM on the board"
            return self.route_problem
        pads = self.pad_pins()
        dopo = (self.ctrla >> 16) & 3
        dipo = (self.ctrla >> 20) & 3
        do_pad, sck_pad = DOPO_PADS[dopo]
        problems = []
        for what, pad, net in (("MOSI (DO)", do_pad, slave.nets.mosi), ("SCK", sck_pad, slave.nets.sck), ("MISO (DI)", dipo, slave.nets.miso)):
            pin = pads.get(pad)
            if pin != net:
                where = pin_name(*pin) if pin else "no pin"
                problems.append(f"{what} is PAD{pad} -> {where}, but the WINC's {what.split()[0]} is {pin_name(*net)}")
        self.route_problem = (f"{self.name} DOPO {dopo} / DIPO {dipo}: " + "; ".join(problems)) if problems else None
        if self.route_problem and self.route_problem != self.reported_route:
            self.reported_route = self.route_problem
            self.m.report("wiring", t=self.m.now_s(), peripheral=self.name, problem=self.route_problem)
        return self.route_problem

    def _spi_write(self, byte: int) -> None:
        now = self.m.now()
        start = max(now, self.spi_busy_until)
        end = start + self.spi_byte_time()
        self.spi_last_start = start
        self.spi_busy_until = end
        problem = self._spi_route()
        if problem is None and self.spi_slave.selected():
            miso = self.spi_slave.exchange(byte)
        else:
            miso = 0xFF
        if self.ctrlb & (1 << 17):
            unread = [x for x in self.spi_rx]
            if len(unread) >= 2:
                self.status |= 0x4  # BUFOVF
                self.spi_rx.pop(0)
            self.spi_rx.append((end, miso))
        self._arm_irq_event()
