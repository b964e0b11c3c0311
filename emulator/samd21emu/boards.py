"""
The three boards the firmware is built for, as the emulator wires them: chip, pins that exist,
what each pin's peripheral functions connect to, the WINC1500's nets, the PC link, the 32 kHz
crystal and the bootloader. Pin facts: shared/reference/samd21-facts.md sections 3.3 and 7
(pin maps from ASF conf_winc.h, ArduinoCore-samd variants, RIOT's Feather M0 WiFi board).
"""
from dataclasses import dataclass, field

PA, PB = 0, 1


def pin_name(group: int, pin: int) -> str:
    return f"P{'AB'[group]}{pin:02d}"


# SERCOM pads reachable through PMUX function C (2) and D (3): (group, pin) -> {function: (sercom, pad)}.
# Only pins whose mapping is stated in samd21-facts.md (sections 3.3, 4, 7) are listed; a SERCOM
# function on any other pin is reported as unknown wiring rather than guessed.
SERCOM_PADS: dict[tuple[int, int], dict[int, tuple[int, int]]] = {
    (PA, 4): {3: (0, 0)},
    (PA, 5): {3: (0, 1)},
    (PA, 6): {3: (0, 2)},
    (PA, 7): {3: (0, 3)},
    (PA, 10): {2: (0, 2)},
    (PA, 11): {2: (0, 3)},
    (PA, 12): {2: (2, 0), 3: (4, 0)},
    (PA, 13): {2: (2, 1), 3: (4, 1)},
    (PA, 15): {2: (2, 3), 3: (4, 3)},
    (PA, 22): {2: (3, 0)},
    (PA, 23): {2: (3, 1)},
    (PB, 10): {3: (4, 2)},
    (PB, 11): {3: (4, 3)},
    (PB, 22): {3: (5, 2)},
    (PB, 23): {3: (5, 3)},
}

PINS_G18A = {PA: set(range(0, 26)) | {27, 28, 30, 31}, PB: {2, 3, 8, 9, 10, 11, 22, 23}}
PINS_J18A = {PA: set(range(0, 26)) | {27, 28, 30, 31}, PB: set(range(0, 18)) | {22, 23, 30, 31}}


@dataclass(frozen=True)
class WincNets:
    mosi: tuple[int, int]
    miso: tuple[int, int]
    sck: tuple[int, int]
    cs: tuple[int, int]
    irq: tuple[int, int]
    reset: tuple[int, int]
    chip_en: tuple[int, int]
    wake: tuple[int, int] | None


@dataclass(frozen=True)
class Board:
    name: str
    chip: str
    did: int
    pins: dict
    winc: WincNets
    link: str                      # 'edbg-uart' or 'usb-cdc'
    uart_tx: tuple[int, int] | None = None  # SAM D21 TX (EDBG receives)
    uart_rx: tuple[int, int] | None = None  # SAM D21 RX (EDBG sends)
    bootloader: str = "none"       # 'none', 'samba' or 'uf2'
    app_start: int = 0x0000
    bootprot: int = 7              # user-row BOOTPROT field (7 = no protection, 2 = 8 KiB)
    crystal_start_s: float | None = 0.3  # 32.768 kHz crystal: time until it oscillates (None = absent)
    serial: tuple[int, int, int, int] = (0, 0, 0, 0)
    led: tuple[int, int] | None = None
    usb_ids: tuple[int, int] | None = None  # what the image is expected to enumerate as (app)


BOARDS: dict[str, Board] = {
    "samd21-xpro": Board(
        name="samd21-xpro", chip="ATSAMD21J18A", did=0x10010300, pins=PINS_J18A,
        winc=WincNets(mosi=(PA, 6), miso=(PA, 4), sck=(PA, 7), cs=(PA, 5), irq=(PB, 4), reset=(PB, 6),
                      chip_en=(PB, 5), wake=(PB, 7)),
        link="edbg-uart", uart_tx=(PA, 22), uart_rx=(PA, 23),
        bootloader="none", app_start=0x0000, bootprot=7,
        serial=(0x5A1D2100, 0x0E3C4B11, 0x20534550, 0x00000001), led=(PB, 30)),
    "mkr1000": Board(
        name="mkr1000", chip="ATSAMD21G18A", did=0x10010305, pins=PINS_G18A,
        winc=WincNets(mosi=(PA, 12), miso=(PA, 15), sck=(PA, 13), cs=(PA, 14), irq=(PB, 9), reset=(PA, 27),
                      chip_en=(PA, 28), wake=(PB, 8)),
        link="usb-cdc", bootloader="samba", app_start=0x2000, bootprot=2,
        serial=(0x4D4B5231, 0x30303000, 0x50313953, 0x00000002), led=(PA, 20), usb_ids=(0x2341, 0x804E)),
    "feather-m0-wifi": Board(
        name="feather-m0-wifi", chip="ATSAMD21G18A", did=0x10010305, pins=PINS_G18A,
        winc=WincNets(mosi=(PB, 10), miso=(PA, 12), sck=(PB, 11), cs=(PA, 6), irq=(PA, 21), reset=(PA, 8),
                      chip_en=(PA, 14), wake=None),
        link="usb-cdc", bootloader="samba", app_start=0x2000, bootprot=2,
        serial=(0x46454154, 0x48455230, 0x4D305749, 0x00000003), led=(PA, 17), usb_ids=(0x239A, 0x800B)),
}

ALIASES = {"xpro": "samd21-xpro", "feather": "feather-m0-wifi"}


def board_by_name(name: str) -> Board:
    key = ALIASES.get(name, name)
    if key not in BOARDS:
        raise KeyError(f"unknown board '{name}': use {', '.join(BOARDS)}")
    return BOARDS[key]
