"""
The SAM D21 USB controller in device mode (samd21-facts.md section 6), seen from the bus: the
host model (usb_host.py) sends SETUP/IN/OUT transactions and start-of-frame; this model answers
from the endpoint descriptor table the firmware keeps in RAM (DESCADD), exactly as far as the
reference describes the hardware:

* SETUP is always accepted on a control endpoint (EPTYPE0 = 1): 8 bytes into bank 0, BYTE_COUNT
  = 8, BK0RDY and RXSTP set. STALLRQ is not cleared by hardware (the firmware must clear it;
  [unconfirmed] in the reference, so the strict choice).
* IN: no answer if the endpoint's bank 1 is disabled, STALL with STALLRQ1, NAK while BK1RDY = 0,
  else up to SIZE bytes from ADDR, splitting BYTE_COUNT into packets (MULTI_PACKET_SIZE counts
  the bytes sent) with an optional AUTO_ZLP; then TRCPT1 and BK1RDY cleared.
* OUT: no answer if bank 0 is disabled, STALL with STALLRQ0, NAK while BK0RDY = 1, else the
  packet lands at ADDR + BYTE_COUNT; the transfer completes on a short packet or when
  MULTI_PACKET_SIZE bytes arrived (single packet when it is 0): TRCPT0 and BK0RDY set.
* The device answers only at its address: DADD with ADDEN, or address 0 without it.
* Endpoint buffers and the descriptor table must be in SRAM, 32-bit aligned.
* Data transactions need GCLK_USB within 0.25 % of 48 MHz (USB full speed); start-of-frame still
  reaches the DFLL's clock recovery.
Data toggles are not modelled.
"""
from .errors import EmulatorFault
from .regs import Peripheral, merge

GCLK_USB = 0x06
PACKET_SIZES = [8, 16, 32, 64, 128, 256, 512, 1023]
EPST_DTGLOUT, EPST_DTGLIN, EPST_CURBK, EPST_STALLRQ0, EPST_STALLRQ1, EPST_BK0RDY, EPST_BK1RDY = 1, 2, 4, 0x10, 0x20, 0x40, 0x80
EPINT_TRCPT0, EPINT_TRCPT1, EPINT_TRFAIL0, EPINT_TRFAIL1, EPINT_RXSTP, EPINT_STALL0, EPINT_STALL1 = 1, 2, 4, 8, 0x10, 0x20, 0x40
INT_SOF, INT_EORST = 0x04, 0x08


class UsbDevice(Peripheral):
    name = "USB"
    apb = ("B", 5)
    irq = 7

    def __init__(self, m, base=0x41005000):
        super().__init__(m, base)
        d = self.define
        d(0x000, 1, "CTRLA", lambda: self.ctrla | (1 if self._swrst_busy() else 0), self._ctrla_write)
        d(0x002, 1, "SYNCBUSY", self._syncbusy, None)
        d(0x003, 1, "QOSCTRL", lambda: self.qos, lambda v, k: setattr(self, "qos", merge(self.qos, v, k) & 0xF))
        d(0x008, 2, "CTRLB", lambda: self.ctrlb, self._ctrlb_write)
        d(0x00A, 1, "DADD", lambda: self.dadd, lambda v, k: setattr(self, "dadd", merge(self.dadd, v, k) & 0xFF))
        d(0x00C, 1, "STATUS", lambda: 0x40 if self.attached() else 0, None)
        d(0x00D, 1, "FSMSTATUS", lambda: 0x02, None)
        d(0x010, 2, "FNUM", lambda: (self.frame & 0x7FF) << 3, None)
        d(0x014, 2, "INTENCLR", lambda: self.inten, lambda v, k: self._set_inten(self.inten & ~(v & k)))
        d(0x018, 2, "INTENSET", lambda: self.inten, lambda v, k: self._set_inten(self.inten | (v & k & 0x3FF)))
        d(0x01C, 2, "INTFLAG", lambda: self.intflag, self._intflag_write)
        d(0x020, 2, "EPINTSMRY", self._epintsmry, None)
        d(0x024, 4, "DESCADD", lambda: self.descadd, lambda v, k: setattr(self, "descadd", merge(self.descadd, v, k)))
        d(0x028, 2, "PADCAL", lambda: self.padcal, lambda v, k: setattr(self, "padcal", merge(self.padcal, v, k) & 0x77DF))
        for n in range(8):
            b = 0x100 + 0x20 * n
            d(b + 0, 1, f"EPCFG{n}", lambda n=n: self.epcfg[n], lambda v, k, n=n: self._epcfg_write(n, v & k))
            d(b + 4, 1, f"EPSTATUSCLR{n}", lambda: 0, lambda v, k, n=n: self._epstatus(n, clear=v & k))
            d(b + 5, 1, f"EPSTATUSSET{n}", lambda: 0, lambda v, k, n=n: self._epstatus(n, set_=v & k))
            d(b + 6, 1, f"EPSTATUS{n}", lambda n=n: self.epstatus[n], None)
            d(b + 7, 1, f"EPINTFLAG{n}", lambda n=n: self.epintflag[n], lambda v, k, n=n: self._epintflag_clear(n, v & k))
            d(b + 8, 1, f"EPINTENCLR{n}", lambda n=n: self.epinten[n], lambda v, k, n=n: self._epinten(n, self.epinten[n] & ~(v & k)))
            d(b + 9, 1, f"EPINTENSET{n}", lambda n=n: self.epinten[n], lambda v, k, n=n: self._epinten(n, self.epinten[n] | (v & k & 0x7F)))
        self.on_attach_change = None   # host model callback
        self.clock_warned = False
        self.reset()

    def reset(self) -> None:
        self.ctrla = 0
        self.swrst_until = 0
        self.sync_until = 0
        self.qos = 0x05
        self.ctrlb = 0x0001
        self.dadd = 0
        self.inten = 0
        self.intflag = 0
        self.descadd = 0
        self.padcal = 0
        self.frame = 0
        self.epcfg = [0] * 8
        self.epstatus = [0] * 8
        self.epintflag = [0] * 8
        self.epinten = [0] * 8
        self.zlp_pending = [False] * 8
        self.update_irq()
        self._attach_changed()

    def next_change(self, now: int) -> int | None:
        return min((t for t in (self.sync_until, self.swrst_until) if t and t > now), default=None)

    # ---------------------------------------------------------------- registers
    def _clock_hz(self) -> float:
        return self.m.gclk.channel_hz(GCLK_USB)

    def _sync(self, what: str) -> None:
        hz = self._clock_hz()
        if hz <= 0:
            raise self.fault("unclocked", f"{what} written while GCLK_USB (channel 0x06) is off: the write never synchronises")
        self.sync_until = self.m.now() + int(3 * 10 ** 15 / hz + 3 * 10 ** 15 / self.m.cpu_hz)

    def _swrst_busy(self) -> bool:
        return self.m.now() < self.swrst_until

    def _syncbusy(self) -> int:
        busy = self.m.now() < self.sync_until
        return (1 if busy and self._swrst_busy() else 0) | (2 if busy else 0)

    def _ctrla_write(self, v, k) -> None:
        new = merge(self.ctrla, v, k) & 0x87
        if new & 1:
            self._sync("CTRLA.SWRST")
            until = self.sync_until
            self.reset()
            self.swrst_until = self.sync_until = until
            return
        if (new ^ self.ctrla) & 2:
            self._sync("CTRLA.ENABLE")
        if new & 0x80:
            raise self.fault("usb-host-mode", "CTRLA.MODE = host: only device mode is modelled")
        self.ctrla = new
        self._attach_changed()

    def _ctrlb_write(self, v, k) -> None:
        self.ctrlb = merge(self.ctrlb, v, k) & 0x0FFF
        if (self.ctrlb >> 2) & 3:
            raise self.fault("usb-speed", f"CTRLB.SPDCONF = {(self.ctrlb >> 2) & 3}: only full speed is modelled")
        self._attach_changed()

    def _set_inten(self, v) -> None:
        self.inten = v
        self.m.check_interrupts(self)

    def _intflag_write(self, v, k) -> None:
        self.intflag &= ~(v & k)

    def _epcfg_write(self, n, v) -> None:
        self.epcfg[n] = v & 0xF7

    def _epstatus(self, n, set_=0, clear=0) -> None:
        self.epstatus[n] = (self.epstatus[n] | set_) & ~clear & 0xFF
        if clear & EPST_BK1RDY:
            self.zlp_pending[n] = False

    def _epintflag_clear(self, n, v) -> None:
        self.epintflag[n] &= ~v

    def _epinten(self, n, v) -> None:
        self.epinten[n] = v
        self.m.check_interrupts(self)

    def _epintsmry(self) -> int:
        s = 0
        for n in range(8):
            if self.epintflag[n] & self.epinten[n]:
                s |= 1 << n
        return s

    def irq_line(self) -> bool:
        if self.intflag & self.inten:
            return True
        return any(self.epintflag[n] & self.epinten[n] for n in range(8))

    def _raise(self, n: int, flag: int) -> None:
        self.epintflag[n] |= flag
        self.m.check_interrupts(self)

    # ---------------------------------------------------------------- bus side
    def attached(self) -> bool:
        return bool(self.ctrla & 2) and not self.ctrlb & 1

    def _attach_changed(self) -> None:
        if self.on_attach_change:
            self.on_attach_change(self.attached())

    def bootloader_entered(self) -> None:
        self.ctrla = 0
        self._attach_changed()

    def clock_ok(self) -> bool:
        hz = self._clock_hz()
        ok = abs(hz - 48_000_000) <= 48_000_000 * 0.0025
        if not ok and not self.clock_warned:
            self.clock_warned = True
            self.m.report("usb", t=self.m.now_s(), event="clock-inaccurate", hz=round(hz),
                          detail="GCLK_USB must be 48 MHz within 0.25 %: the host sees CRC errors")
        if ok:
            self.clock_warned = False
        return ok

    def addressed(self, addr: int) -> bool:
        if self.dadd & 0x80:
            return addr == self.dadd & 0x7F
        return addr == 0

    def bus_reset(self) -> None:
        self.dadd = 0
        self.intflag |= INT_EORST
        for n in range(8):
            self.zlp_pending[n] = False
        self.m.check_interrupts(self)

    def sof(self) -> None:
        self.frame = (self.frame + 1) & 0x7FF
        self.intflag |= INT_SOF
        self.m.sysctrl.usb_sof()
        if self.inten & INT_SOF:
            self.m.check_interrupts(self)

    def _bank(self, n: int, bank: int) -> tuple[int, int, int]:
        """(descriptor address, ADDR, PCKSIZE) of endpoint n's bank."""
        if not self.descadd:
            raise EmulatorFault("usb-descadd", "USB: a transaction arrived but DESCADD is 0 (no endpoint descriptor table)")
        desc = self.descadd + 32 * n + 16 * bank
        raw = self.m.ram_read(desc, 8)
        addr = int.from_bytes(raw[0:4], "little")
        pck = int.from_bytes(raw[4:8], "little")
        if addr & 3:
            raise EmulatorFault("usb-buffer-alignment", f"USB EP{n} bank {bank} ADDR 0x{addr:08X} is not 32-bit aligned")
        return desc, addr, pck

    def _buffer(self, n, bank, addr, length) -> None:
        if length and not (0x20000000 <= addr and addr + length <= 0x20008000):
            raise EmulatorFault("usb-buffer-not-in-ram",
                                f"USB EP{n} bank {bank} buffer 0x{addr:08X} ({length} bytes) is not in SRAM: "
                                "the USB DMA reads and writes RAM only (samd21-facts.md 6.1)")

    def setup(self, addr: int, ep: int, packet: bytes):
        if not self.attached() or not self.addressed(addr) or not self.clock_ok():
            return None
        if self.epcfg[ep] & 7 != 1:
            return None
        desc, buf, pck = self._bank(ep, 0)
        self._buffer(ep, 0, buf, 8)
        self.m.ram_write(buf, packet)
        pck = (pck & ~0x3FFF) | 8
        self.m.ram_write(desc + 4, pck.to_bytes(4, "little"))
        self.epstatus[ep] |= EPST_BK0RDY
        self._raise(ep, EPINT_RXSTP)
        return "ACK"

    def in_token(self, addr: int, ep: int):
        if not self.attached() or not self.addressed(addr) or not self.clock_ok():
            return None
        if (self.epcfg[ep] >> 4) & 7 == 0:
            return None
        if self.epstatus[ep] & EPST_STALLRQ1:
            self._raise(ep, EPINT_STALL1)
            return "STALL"
        if not self.epstatus[ep] & EPST_BK1RDY:
            return "NAK"
        desc, buf, pck = self._bank(ep, 1)
        size = PACKET_SIZES[(pck >> 28) & 7]
        count = pck & 0x3FFF
        sent = (pck >> 14) & 0x3FFF
        remaining = max(0, count - sent)
        n = min(size, remaining)
        self._buffer(ep, 1, buf, count)
        data = self.m.ram_read(buf + sent, n) if n else b""
        sent += n
        done = sent >= count
        if done and n == size and pck & (1 << 31) and not self.zlp_pending[ep]:
            self.zlp_pending[ep] = True  # AUTO_ZLP: a zero-length packet follows
            done = False
        elif n == 0:
            self.zlp_pending[ep] = False
            done = True
        pck = (pck & ~(0x3FFF << 14)) | ((sent & 0x3FFF) << 14)
        self.m.ram_write(desc + 4, pck.to_bytes(4, "little"))
        if done:
            self.epstatus[ep] &= ~EPST_BK1RDY
            self._raise(ep, EPINT_TRCPT1)
        return ("DATA", data)

    def out_token(self, addr: int, ep: int, data: bytes):
        if not self.attached() or not self.addressed(addr) or not self.clock_ok():
            return None
        if self.epcfg[ep] & 7 == 0:
            return None
        if self.epstatus[ep] & EPST_STALLRQ0:
            self._raise(ep, EPINT_STALL0)
            return "STALL"
        if self.epstatus[ep] & EPST_BK0RDY:
            return "NAK"
        desc, buf, pck = self._bank(ep, 0)
        size = PACKET_SIZES[(pck >> 28) & 7]
        count = pck & 0x3FFF
        capacity = (pck >> 14) & 0x3FFF
        if len(data) > size:
            raise EmulatorFault("usb-packet-size", f"USB EP{ep}: a {len(data)}-byte OUT packet arrived for a bank of SIZE {size}")
        if capacity and count + len(data) > capacity:
            raise EmulatorFault("usb-overflow", f"USB EP{ep}: OUT data beyond MULTI_PACKET_SIZE {capacity}")
        self._buffer(ep, 0, buf, count + len(data))
        if data:
            self.m.ram_write(buf + count, data)
        count += len(data)
        pck = (pck & ~0x3FFF) | count
        self.m.ram_write(desc + 4, pck.to_bytes(4, "little"))
        if not capacity or len(data) < size or count >= capacity:
            self.epstatus[ep] |= EPST_BK0RDY
            self._raise(ep, EPINT_TRCPT0)
        return "ACK"
