"""Register-file plumbing shared by the peripheral models."""
from .errors import EmulatorFault

LANE_MASK = {1: 0xFF, 2: 0xFFFF, 4: 0xFFFFFFFF}


class Peripheral:
    """A memory-mapped peripheral: registers by offset, each with a read and a write function.

    `write(value, mask)` receives the bits the access wrote (`mask`): byte and halfword accesses to
    wider registers, and word accesses spanning narrower ones, are split here, so every model sees
    what silicon's byte lanes would carry.
    """

    name = "?"
    size = 0x400
    apb: tuple[str, int] | None = None  # (bus, bit) in PM APBxMASK
    irq: int | None = None              # NVIC line, for peripherals that interrupt

    def __init__(self, machine, base: int):
        self.m = machine
        self.base = base
        self._regs: dict[int, tuple[int, object, object, str]] = {}
        self._byte_owner: dict[int, int] = {}

    def define(self, offset: int, width: int, name: str, read=None, write=None) -> None:
        self._regs[offset] = (width, read or self._write_only(name), write or self._read_only(name), name)
        for b in range(width):
            self._byte_owner[offset + b] = offset

    def _write_only(self, name):
        return lambda: 0

    def _read_only(self, name):
        def ignore(value, mask):
            self.m.trace(f"{self.name}.{name}: write 0x{value:X} to a read-only register ignored")
        return ignore

    def reset(self) -> None:
        """System reset: back to reset values."""

    def irq_line(self) -> bool:
        return False

    def update_irq(self) -> None:
        """Recompute this peripheral's interrupt line for the NVIC."""
        if self.irq is not None:
            self.m.scs.set_line(self.irq, self.irq_line())

    def next_change(self, now: int) -> int | None:
        """The earliest future time at which reading a register gives another value without any
        event (a status bit that sets when a countdown ends), or None."""
        return None

    def fault(self, kind: str, message: str) -> EmulatorFault:
        return EmulatorFault(kind, f"{self.name}: {message}")

    def _unmodelled(self, offset: int, size: int, what: str) -> EmulatorFault:
        return self.fault("unmodelled-register", f"{what} of {size * 8} bits at {self.name}+0x{offset:03X} "
                          f"(0x{self.base + offset:08X}): this register is not modelled by the emulator")

    def read(self, offset: int, size: int) -> int:
        reg = self._regs.get(offset)
        if reg is not None and reg[0] == size:
            return reg[1]()
        value = 0
        b = 0
        while b < size:
            owner = self._byte_owner.get(offset + b)
            if owner is None:
                raise self._unmodelled(offset, size, "read")
            width, read, _, _ = self._regs[owner]
            v = read()
            shift = (offset + b - owner) * 8
            take = min(width - (offset + b - owner), size - b)
            value |= ((v >> shift) & ((1 << (8 * take)) - 1)) << (8 * b)
            b += take
        return value

    def write(self, offset: int, size: int, value: int) -> None:
        reg = self._regs.get(offset)
        if reg is not None and reg[0] == size:
            reg[2](value, LANE_MASK[size])
            return
        b = 0
        while b < size:
            owner = self._byte_owner.get(offset + b)
            if owner is None:
                raise self._unmodelled(offset, size, "write")
            width, _, write, _ = self._regs[owner]
            lane = offset + b - owner
            take = min(width - lane, size - b)
            bits = (1 << (8 * take)) - 1
            part = (value >> (8 * b)) & bits
            write(part << (8 * lane), bits << (8 * lane))
            b += take


def merge(old: int, value: int, mask: int) -> int:
    return (old & ~mask) | (value & mask)
