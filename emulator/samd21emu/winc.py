"""
The WINC1500 on the board: the project's own model (firmware/host/winc_model.c and
winc_model_net.c, linked into libsamd21emu.so) on emulated time, wired to the SAM D21's pins:
SPI bytes while its CS pin is low, RESET_N and CHIP_EN from PORT, IRQN back into PORT/EIC.
"""
import ctypes

from .boards import pin_name

FS = 10 ** 15
POLL_S = 0.001
FLASH_SIZE = 512 * 1024


class _Config(ctypes.Structure):
    """wm_config_t (firmware/host/winc_model.h), with spare zeroed room for fields added later."""
    _fields_ = [("wifi_ssid", ctypes.c_char_p), ("wifi_psk", ctypes.c_char_p), ("fw_version", ctypes.c_uint16),
                ("flash_out", ctypes.c_char_p), ("otp_mac", ctypes.c_uint8 * 6), ("mac_in_use", ctypes.c_uint8 * 6),
                ("flash_asleep", ctypes.c_bool), ("boot_ms", ctypes.c_uint32), ("_reserved", ctypes.c_uint8 * 256)]


class Winc:
    def __init__(self, m, nets, ssid=None, psk=None, fw_version=None, flash_image=None, root=None, tls=None, flash_out=None,
                 mac=None, flash_asleep=False, boot_ms=0):
        self.m = m
        self.nets = nets
        lib = m.lib
        self.lib = lib
        lib.wm_flash.restype = ctypes.POINTER(ctypes.c_uint8)
        lib.wm_spi_byte.restype = ctypes.c_uint8
        lib.wm_spi_byte.argtypes = [ctypes.c_uint8]
        lib.wm_irq_level.restype = ctypes.c_bool
        lib.wm_set_pins.argtypes = [ctypes.c_bool, ctypes.c_bool]
        lib.wm_cs.argtypes = [ctypes.c_bool]
        flash = lib.wm_flash()
        ctypes.memset(flash, 0xFF, FLASH_SIZE)
        if flash_image:
            ctypes.memmove(flash, flash_image[:FLASH_SIZE], min(len(flash_image), FLASH_SIZE))
        if root:
            ctypes.memmove(ctypes.addressof(flash.contents) + 0x4000, root, min(len(root), 0x1000))
        if tls:
            ctypes.memmove(ctypes.addressof(flash.contents) + 0x5000, tls, min(len(tls), 0x2000))
        self._keep = [ssid and ssid.encode(), psk and psk.encode(), flash_out and flash_out.encode()]
        self.cfg = _Config(self._keep[0], self._keep[1], fw_version or 0, self._keep[2])
        if mac:
            self.cfg.otp_mac[:] = list(mac)
        self.cfg.flash_asleep = bool(flash_asleep)
        self.cfg.boot_ms = boot_ms or 0
        lib.wm_init(ctypes.byref(self.cfg))
        lib.wm_flash_changed()
        self.powered = False
        self.cs_low = False
        self.irq_level = 1
        port = m.port
        port.watch(*nets.reset, self._pins_changed)
        port.watch(*nets.chip_en, self._pins_changed)
        port.watch(*nets.cs, self._cs_changed)
        port.external[nets.irq] = self._irq_drive
        self._pins_changed()
        self._cs_changed()
        m.every(int(POLL_S * FS), self._poll)

    def flash(self) -> bytes:
        p = self.lib.wm_flash()
        return ctypes.string_at(p, FLASH_SIZE)

    def _pins_changed(self) -> None:
        port = self.m.port
        reset_high = port.level(*self.nets.reset) == 1
        en_high = port.level(*self.nets.chip_en) == 1
        powered = reset_high and en_high
        if powered != self.powered:
            self.m.trace(f"WINC {'powered up (RESET_N and CHIP_EN high)' if powered else 'held in reset'}")
        self.powered = powered
        self.lib.wm_set_pins(reset_high, en_high)
        self._irq_check()

    def _cs_changed(self) -> None:
        low = self.m.port.level(*self.nets.cs) == 0
        if low != self.cs_low:
            self.cs_low = low
            self.lib.wm_cs(low)

    def selected(self) -> bool:
        return self.cs_low

    def exchange(self, mosi: int) -> int:
        miso = self.lib.wm_spi_byte(mosi)
        self._irq_check()
        return miso

    def _irq_drive(self):
        if not self.powered:
            return None  # not driven: the pull-up decides
        return self.irq_level

    def _irq_check(self) -> None:
        level = 1 if self.lib.wm_irq_level() else 0
        if level != self.irq_level:
            self.irq_level = level
            self.m.port.external_changed(*self.nets.irq)

    def _poll(self) -> None:
        self.lib.wm_poll()
        self._irq_check()

    def describe(self) -> str:
        n = self.nets
        return (f"WINC1500 on MOSI {pin_name(*n.mosi)}, MISO {pin_name(*n.miso)}, SCK {pin_name(*n.sck)}, "
                f"CS {pin_name(*n.cs)}, IRQN {pin_name(*n.irq)}, RESET_N {pin_name(*n.reset)}, CHIP_EN {pin_name(*n.chip_en)}")
