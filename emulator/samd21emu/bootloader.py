"""
What sits in the first 8 KiB on the MKR1000 and the Feather M0 (SAM-BA or UF2 bootloader), as a
behavioural model: the emulator does not execute bootloader code. On every reset it decides like
Arduino's bootloader (samd21-facts.md 1.4 and 6.12; board-programming.md 1.6):
  * word at 0x2000 erased (0xFFFFFFFF) -> stay in the bootloader;
  * after a non-power-on reset, the double-tap magic at 0x20007FFC (0x07738135 SAM-BA,
    0xF01669EF UF2) -> clear it and stay in the bootloader;
  * otherwise wait out the double-tap window (500 ms) and start the application as the
    bootloader does: MSP from 0x2000, VTOR = 0x2000, PC from 0x2004, clocks at reset values.
Staying in the bootloader is reported ("bootloader-entered") and halts the emulated board. The
boot region holds a tiny placeholder image and the bootloader's magic constant, so firmware that
looks for it (the touch handler) finds it where a real bootloader binary keeps it.
"""
import struct

from .errors import EmulatorFault

FS = 10 ** 15
DBL_TAP = 0x20007FFC
MAGIC = {"samba": 0x07738135, "uf2": 0xF01669EF}
DOUBLE_TAP_WINDOW_S = 0.5


def boot_region(kind: str, region_magic="default") -> bytes:
    """8 KiB standing in for the bootloader binary: vector table, an idle loop, and the double-tap
    constant as a literal (`region_magic`: 'default' = the bootloader's own, None = none)."""
    region = bytearray(b"\xFF" * 0x2000)
    struct.pack_into("<II", region, 0, 0x20008000, 0x00000101)
    struct.pack_into("<H", region, 0x100, 0xE7FE)  # b . (never executed)
    magic = MAGIC.get(kind) if region_magic == "default" else region_magic
    if magic is not None:
        struct.pack_into("<I", region, 0x1F00, magic)
    return bytes(region)


class BootModel:
    def __init__(self, system, kind: str):
        self.s = system
        self.kind = kind
        self.magic = MAGIC.get(kind)

    def power_on(self) -> None:
        m = self.s.m
        if self.kind == "none":
            m.cpu_reset(0x0000)
            return
        m.write32(DBL_TAP, 0)
        self._decide(power_on=True)

    def after_reset(self, cause: str) -> None:
        if self.kind == "none":
            self.s.m.cpu_reset(0x0000)
            return
        self._decide(power_on=False)

    def _decide(self, power_on: bool) -> None:
        m = self.s.m
        app = self.s.board.app_start
        if m.read32(app) == 0xFFFFFFFF:
            self._stay(f"the application's first word at 0x{app:04X} is erased")
            return
        if not power_on and m.read32(DBL_TAP) == self.magic:
            m.write32(DBL_TAP, 0)
            self._stay(f"double-tap magic 0x{self.magic:08X} at 0x{DBL_TAP:08X} after a reset")
            return
        if not power_on:
            # the double-tap window: the bootloader waits with the magic set, then clears it
            m.write32(DBL_TAP, self.magic)
            m._rebase(m.now() + int(DOUBLE_TAP_WINDOW_S * FS))
            m.write32(DBL_TAP, 0)
        entry = m.read32(app + 4)
        if not entry & 1:
            raise EmulatorFault("bad-vector", f"application reset vector 0x{entry:08X} at 0x{app + 4:04X} has no Thumb bit")
        m.cpu_reset(app)
        m.report("boot", t=m.now_s(), event="application-started", vtor=f"0x{app:04X}")

    def _stay(self, reason: str) -> None:
        m = self.s.m
        m.report("bootloader-entered", t=m.now_s(), bootloader=self.kind, reason=reason)
        m.halted = True
        self.s.on_bootloader(reason)
