"""
One board: the machine, its peripherals and the memory map, the WINC on its pins, the PC link,
and what happens at reset (the bootloader model). `Samd21System.run()` runs it.
"""
import struct

from . import bootloader
from .boards import Board, pin_name
from .clocks import GenericClock, PowerManager, SystemController
from .eic import ExternalInterruptController
from .errors import EmulatorFault
from .machine import FLASH_SIZE, Machine
from .nvmctrl import NvmController
from .port import DeviceServiceUnit, Port
from .scs import SystemControl
from .sercom import Sercom
from .winc import Winc

UNMODELLED = {
    0x40000000: "PAC0", 0x40001000: "WDT", 0x40001400: "RTC", 0x41000000: "PAC1", 0x41004800: "DMAC",
    0x41006000: "MTB", 0x41007000: "SBMATRIX", 0x42000000: "PAC2", 0x42000400: "EVSYS",
}


class Samd21System:
    def __init__(self, board: Board, image: bytes, report, options):
        self.board = board
        self.report = report
        self.options = options
        m = Machine(board, report, throttle=options.get("throttle", True), trace=options.get("trace", False),
                    idle_skip=options.get("idle_skip", True))
        self.m = m
        m.scs = SystemControl(m)
        m.pm = PowerManager(m)
        m.sysctrl = SystemController(m, crystal_start_s=options.get("crystal_start_s", board.crystal_start_s),
                                     dfll_open_loop_error=options.get("dfll_open_loop_error", 0.01),
                                     dfll_never_locks=options.get("dfll_never_locks", False))
        m.gclk = GenericClock(m)
        m.nvmctrl = NvmController(m, bootprot=board.bootprot)
        m.port = Port(m, 0x41004400, board.pins)
        m.eic = ExternalInterruptController(m)
        self.dsu = DeviceServiceUnit(m, 0x41002000, board.did)
        m.sercoms = [Sercom(m, n) for n in range(6)]
        m.peripherals = [m.scs, m.pm, m.sysctrl, m.gclk, m.nvmctrl, m.port, m.eic, self.dsu, *m.sercoms]
        self.usb = None
        if board.link == "usb-cdc":
            from .usb import UsbDevice
            self.usb = UsbDevice(m)
            m.usb = self.usb
            m.peripherals.append(self.usb)
        self._map_memory()
        self._load_nvm_rows()
        self._load_image(image)
        self._wire_eic()
        self.winc = Winc(m, board.winc, ssid=options.get("wifi_ssid"), psk=options.get("wifi_psk"),
                         fw_version=options.get("winc_fw"), flash_image=options.get("winc_flash"),
                         root=options.get("root_store"), tls=options.get("tls_store"), flash_out=options.get("flash_out"),
                         mac=options.get("winc_mac"), flash_asleep=options.get("winc_flash_asleep", False),
                         boot_ms=options.get("winc_boot_ms", 0))
        self._wire_spi()
        m.on_system_reset = self.system_reset
        self.boot = bootloader.BootModel(self, board.bootloader)
        self.boot.power_on()

    # ------------------------------------------------------------------ memory map
    def _map_memory(self) -> None:
        m = self.m
        pages: dict[int, list] = {}
        for p in m.peripherals:
            start = p.base
            while start < p.base + max(p.size, 1):
                page = start & ~0xFFF
                pages.setdefault(page, [None] * 4)[(start >> 10) & 3] = (p, p.base - page)
                start = (start & ~0x3FF) + 0x400
        pages.setdefault(0x60000000, [None] * 4)[0] = (m.port, 0)  # PORT IOBUS alias
        for page, slots in pages.items():
            m.map_page(page, *self._page_handlers(page, slots))

    def _page_handlers(self, page: int, slots):
        m = self.m
        pm = m.pm

        def resolve(off: int, size: int, what: str):
            entry = slots[off >> 10]
            addr = page + off
            if entry is None:
                name = UNMODELLED.get(addr & ~0x3FF, "no peripheral")
                raise EmulatorFault("unmodelled-peripheral", f"{what} of {size * 8} bits at 0x{addr:08X} ({name}): not modelled by the emulator")
            p, rel = entry
            local = off - rel
            if local >= p.size:
                raise EmulatorFault("unmodelled-register", f"{what} at 0x{addr:08X} beyond the {p.name} registers")
            if p.apb and not pm.apb_open(*p.apb):
                bus, bit = p.apb
                raise EmulatorFault("unclocked", f"{what} of {p.name} at 0x{addr:08X} while its bus clock is off "
                                    f"(PM APB{bus}MASK bit {bit} = 0): the access fails on silicon")
            return p, local

        # fast path: an exact-width register of a peripheral whose bus clock is open
        fast = {}
        for slot in slots:
            if slot is None:
                continue
            p, rel = slot
            for offset, (width, reader, _, _) in p._regs.items():
                fast[(offset + rel, width)] = (p, reader)

        def read(uc, off, size, user):
            if m.recording_reads:
                entry = slots[off >> 10]
                if entry is not None:
                    m.probe_reads.add((entry[0], off - entry[1], size))
            hit = fast.get((off, size))
            if hit is not None:
                p, reader = hit
                if p.apb is None or pm.apb_open(*p.apb):
                    try:
                        return reader()
                    except EmulatorFault as fault:
                        m.raise_fault(fault)
                        return 0
                    except Exception as error:
                        m.raise_fault(EmulatorFault("emulator-error", f"{type(error).__name__}: {error} (read 0x{page + off:08X})"))
                        return 0
            try:
                p, local = resolve(off, size, "read")
                return p.read(local, size)
            except EmulatorFault as fault:
                m.raise_fault(fault)
            except Exception as error:  # a model bug: stop with the evidence
                m.raise_fault(EmulatorFault("emulator-error", f"{type(error).__name__}: {error} (read 0x{page + off:08X})"))
            return 0

        def write(uc, off, size, value, user):
            m.io_touched = True
            try:
                p, local = resolve(off, size, "write")
                p.write(local, size, value)
                if p.irq is not None:
                    p.update_irq()
            except EmulatorFault as fault:
                m.raise_fault(fault)
            except Exception as error:
                m.raise_fault(EmulatorFault("emulator-error", f"{type(error).__name__}: {error} (write 0x{page + off:08X} = 0x{value:X})"))

        return read, write

    def _load_nvm_rows(self) -> None:
        uc = self.m.uc
        b = self.board
        word0 = 0xD8E0C7F8 | b.bootprot
        uc.mem_write(0x00804000, struct.pack("<II", word0, 0xFFFFFC5D))
        # software calibration row: DFLL coarse 0x1D, USB TRIM 6 / TRANSP 25 / TRANSN 9, OSC32K cal 0x40
        cal1 = (0x1D << 26) | (6 << 23) | (25 << 18) | (9 << 13) | (0x40 << 6)
        uc.mem_write(0x00806020, struct.pack("<II", 0xFFFFFFFF, cal1))
        s = b.serial
        uc.mem_write(0x0080A00C, struct.pack("<I", s[0]))
        uc.mem_write(0x0080A040, struct.pack("<III", s[1], s[2], s[3]))

    def _load_image(self, image: bytes) -> None:
        uc = self.m.uc
        uc.mem_write(0, b"\xFF" * FLASH_SIZE)
        start = self.board.app_start
        if start + len(image) > FLASH_SIZE:
            raise EmulatorFault("image-too-large", f"image of {len(image)} bytes does not fit at 0x{start:05X}")
        if start:
            uc.mem_write(0, bootloader.boot_region(self.board.bootloader, self.options.get("region_magic", "default")))
        uc.mem_write(start, image)
        self.m.report("image", board=self.board.name, address=f"0x{start:05X}", size=len(image),
                      bootloader=self.board.bootloader)

    # ------------------------------------------------------------------ wiring
    def _wire_eic(self) -> None:
        m = self.m
        for g, pins in self.board.pins.items():
            for p in pins:
                m.port.watch(g, p, lambda g=g, p=p: self._eic_pin(g, p))

    def _eic_pin(self, g: int, p: int) -> None:
        m = self.m
        eic = m.eic
        line = p % 16
        routed = m.port.function(g, p) == 0 and not (g == 0 and p == 8)
        if routed:
            eic.lines[line] = (g, p)
            eic.sample(line)
        elif eic.lines.get(line) == (g, p):
            del eic.lines[line]

    def _wire_spi(self) -> None:
        for s in self.m.sercoms:
            s.spi_slave = self.winc

    # ------------------------------------------------------------------ reset
    def system_reset(self, cause: str) -> None:
        m = self.m
        m.report("reset", t=m.now_s(), cause=cause, pc=f"0x{m.pc():08X}")
        for p in m.peripherals:
            p.reset()
        m.pm.rcause = 0x40 if cause == "SYSRESETREQ" else 0x01
        m.clocks_changed()
        self.boot.after_reset(cause)

    def attach_link(self, port) -> None:
        """Connect the PC side (a pty) to the board's serial link."""
        self.port = port
        if self.board.link == "edbg-uart":
            from .edbg import EdbgBridge
            self.link = EdbgBridge(self.m, self.board, port, self.m.sercoms[3])
        else:
            from .usb_host import UsbHost
            self.link = UsbHost(self.m, self.usb, port, flavour=self.options.get("host", "linux"))

    def on_bootloader(self, reason: str) -> None:
        if self.usb:
            self.usb.bootloader_entered()

    def run(self, until_s=None) -> None:
        self.m.run(until_s)
