"""
PORT (groups A and B, also through the single-cycle IOBUS alias at 0x60000000) and the DSU's
device id. Pin levels: a pin driven by PORT (DIR = 1, PMUXEN = 0) is at OUT; otherwise an
external driver on the board's net decides, else the pull selected by OUT when PULLEN = 1, else
it floats (read as 0). IN reads 0 for pins whose input buffer is off (PINCFG.INEN = 0). Accessing
PINCFG or PMUX of a pin the chip's package does not have is a fault (J18A vs G18A).
"""
from .boards import pin_name
from .regs import Peripheral, merge


class Port(Peripheral):
    name = "PORT"
    apb = ("B", 3)
    size = 0x100

    def __init__(self, m, base, pins):
        super().__init__(m, base)
        self.pins = pins
        self.watchers: dict[tuple[int, int], list] = {}
        self.external: dict[tuple[int, int], object] = {}  # (g, p) -> fn() -> level or None
        self.config_version = 0
        for g in (0, 1):
            b = 0x80 * g
            d = self.define
            d(b + 0x00, 4, f"DIR{g}", lambda g=g: self.dir[g], lambda v, k, g=g: self._set_dir(g, merge(self.dir[g], v, k)))
            d(b + 0x04, 4, f"DIRCLR{g}", lambda g=g: self.dir[g], lambda v, k, g=g: self._set_dir(g, self.dir[g] & ~(v & k)))
            d(b + 0x08, 4, f"DIRSET{g}", lambda g=g: self.dir[g], lambda v, k, g=g: self._set_dir(g, self.dir[g] | (v & k)))
            d(b + 0x0C, 4, f"DIRTGL{g}", lambda g=g: self.dir[g], lambda v, k, g=g: self._set_dir(g, self.dir[g] ^ (v & k)))
            d(b + 0x10, 4, f"OUT{g}", lambda g=g: self.out[g], lambda v, k, g=g: self._set_out(g, merge(self.out[g], v, k)))
            d(b + 0x14, 4, f"OUTCLR{g}", lambda g=g: self.out[g], lambda v, k, g=g: self._set_out(g, self.out[g] & ~(v & k)))
            d(b + 0x18, 4, f"OUTSET{g}", lambda g=g: self.out[g], lambda v, k, g=g: self._set_out(g, self.out[g] | (v & k)))
            d(b + 0x1C, 4, f"OUTTGL{g}", lambda g=g: self.out[g], lambda v, k, g=g: self._set_out(g, self.out[g] ^ (v & k)))
            d(b + 0x20, 4, f"IN{g}", lambda g=g: self.read_in(g), None)
            d(b + 0x24, 4, f"CTRL{g}", lambda g=g: self.ctrl[g], lambda v, k, g=g: self.ctrl.__setitem__(g, merge(self.ctrl[g], v, k)))
            d(b + 0x28, 4, f"WRCONFIG{g}", lambda: 0, lambda v, k, g=g: self._wrconfig(g, v, k))
            for i in range(16):
                d(b + 0x30 + i, 1, f"PMUX{g}_{i}", lambda g=g, i=i: self._pmux_read(g, i), lambda v, k, g=g, i=i: self._pmux_write(g, i, v & k))
            for n in range(32):
                d(b + 0x40 + n, 1, f"PINCFG{g}_{n}", lambda g=g, n=n: self._pincfg_read(g, n), lambda v, k, g=g, n=n: self._pincfg_write(g, n, v & k))
        self.reset()

    def reset(self) -> None:
        self.dir = [0, 0]
        self.out = [0, 0]
        self.ctrl = [0, 0]
        self.pmux = [[0] * 16, [0] * 16]
        self.pincfg = [[0] * 32, [0] * 32]
        self.inen = [0, 0]
        self.pmuxen = [0, 0]
        self._in_cache = [None, None]
        self.config_version += 1
        for key in list(self.watchers):
            self._notify(*key)

    def exists(self, g: int, p: int) -> bool:
        return p in self.pins[g]

    def _require(self, g: int, p: int, what: str) -> None:
        if not self.exists(g, p):
            raise self.fault("no-such-pin", f"{what} of {pin_name(g, p)}, which the {self.m.board.chip} package does not have")

    def watch(self, g: int, p: int, fn) -> None:
        self.watchers.setdefault((g, p), []).append(fn)

    def _notify(self, g: int, p: int) -> None:
        self._in_cache[g] = None
        for fn in self.watchers.get((g, p), ()):
            fn()

    def _changed(self, g: int, mask: int) -> None:
        self._in_cache[g] = None
        for (wg, wp) in list(self.watchers):
            if wg == g and (mask >> wp) & 1:
                self._notify(wg, wp)

    def _set_dir(self, g, v) -> None:
        changed = self.dir[g] ^ v
        self.dir[g] = v & 0xFFFFFFFF
        if changed:
            self._changed(g, changed)

    def _set_out(self, g, v) -> None:
        changed = self.out[g] ^ v
        self.out[g] = v & 0xFFFFFFFF
        if changed:
            self._changed(g, changed)

    def _pmux_read(self, g, i) -> int:
        if not self.exists(g, 2 * i) and not self.exists(g, 2 * i + 1):
            self._require(g, 2 * i, "PMUX read")
        return self.pmux[g][i]

    def _pmux_write(self, g, i, v) -> None:
        even, odd = 2 * i, 2 * i + 1
        if not self.exists(g, even) and not self.exists(g, odd):
            self._require(g, even, "PMUX write")
        self.pmux[g][i] = v & 0xFF
        self.config_version += 1
        self._notify(g, even)
        self._notify(g, odd)

    def _pincfg_read(self, g, n) -> int:
        self._require(g, n, "PINCFG read")
        return self.pincfg[g][n]

    def _pincfg_write(self, g, n, v) -> None:
        self._require(g, n, "PINCFG write")
        self.pincfg[g][n] = v & 0x47
        self._pincfg_masks(g)
        self._in_cache[g] = None
        self.config_version += 1
        self._notify(g, n)

    def _pincfg_masks(self, g: int) -> None:
        inen = pmuxen = 0
        for n, c in enumerate(self.pincfg[g]):
            if c & 2:
                inen |= 1 << n
            if c & 1:
                pmuxen |= 1 << n
        self.inen[g] = inen
        self.pmuxen[g] = pmuxen

    def _wrconfig(self, g, v, k) -> None:
        if k != 0xFFFFFFFF:
            raise self.fault("wrconfig-width", "WRCONFIG must be written as one 32-bit word")
        mask = v & 0xFFFF
        base = 16 if v & (1 << 31) else 0
        for i in range(16):
            if not (mask >> i) & 1:
                continue
            n = base + i
            self._require(g, n, "WRCONFIG")
            if v & (1 << 30):  # WRPINCFG
                self.pincfg[g][n] = (v >> 16) & 0x47
            if v & (1 << 28):  # WRPMUX
                func = (v >> 24) & 0xF
                cur = self.pmux[g][n // 2]
                self.pmux[g][n // 2] = (cur & 0x0F) | (func << 4) if n & 1 else (cur & 0xF0) | func
        self._pincfg_masks(g)
        self.config_version += 1
        self._changed(g, mask << base)

    # ---- levels
    def function(self, g: int, p: int) -> int | None:
        """The PMUX function routed to the pin, or None when PORT owns it."""
        if not self.pincfg[g][p] & 1:
            return None
        byte = self.pmux[g][p // 2]
        return (byte >> 4) & 0xF if p & 1 else byte & 0xF

    def driven_level(self, g: int, p: int) -> int | None:
        """What PORT drives on the pin, or None when it does not drive it."""
        if self.pincfg[g][p] & 1 or not (self.dir[g] >> p) & 1:
            return None
        return (self.out[g] >> p) & 1

    def level(self, g: int, p: int) -> int:
        driven = self.driven_level(g, p)
        if driven is not None:
            return driven
        ext = self.external.get((g, p))
        if ext is not None:
            v = ext()
            if v is not None:
                return v
        if self.pincfg[g][p] & 4:  # PULLEN: OUT picks up or down
            return (self.out[g] >> p) & 1
        return 0

    def read_in(self, g: int) -> int:
        cached = self._in_cache[g]
        if cached is not None:
            return cached
        v = self._compute_in(g)
        self._in_cache[g] = v
        return v

    def _compute_in(self, g: int) -> int:
        inen = self.inen[g]
        own = self.dir[g] & ~self.pmuxen[g]
        v = self.out[g] & own & inen
        rest = inen & ~own
        p = 0
        while rest:
            if rest & 1 and self.level(g, p):
                v |= 1 << p
            rest >>= 1
            p += 1
        return v

    def external_changed(self, g: int, p: int) -> None:
        """An external driver changed the level it puts on the pin."""
        self._in_cache[g] = None
        self._notify(g, p)


class DeviceServiceUnit(Peripheral):
    name = "DSU"
    apb = ("B", 1)
    size = 0x1000

    def __init__(self, m, base, did):
        super().__init__(m, base)
        self.define(0x18, 4, "DID", lambda: did, None)
