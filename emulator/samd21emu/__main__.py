"""
python3 -m samd21emu --board B [--image FILE] [options]

Runs a board's firmware image instruction by instruction. Prints the pty path of the board's
serial link alone on the first stdout line, then one JSON object per line for what happens
(clock, link, reset, fault ...), and runs until SIGINT/SIGTERM. Exit status: 0 stopped or the
board went to its bootloader, 3 emulator fault (strict-model violation or CPU fault), 2 usage.
"""
import argparse
import json
import os
import signal
import sys
import time

from .boards import BOARDS, board_by_name
from .errors import EmulatorFault

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv):
    p = argparse.ArgumentParser(prog="samd21emu", description="Instruction-level SAM D21 + WINC1500 board emulator")
    p.add_argument("--board", required=True, help=", ".join(BOARDS) + " (or xpro, feather)")
    p.add_argument("--image", help="firmware .bin (default: firmware/prebuilt/winc-cert-fw-BOARD.bin)")
    p.add_argument("--host", choices=("linux", "windows"), default="linux", help="USB host that enumerates the board")
    p.add_argument("--bootloader", choices=("samba", "uf2", "none"), help="what sits below 0x2000 (default: the board's)")
    p.add_argument("--bootloader-magic", help="the double-tap constant kept in the bootloader region (hex), or 'none' "
                   "for a bootloader whose constant the firmware cannot find")
    p.add_argument("--crystal-start-ms", default=None, help="32 kHz crystal start-up in ms, or 'none' for no crystal")
    p.add_argument("--dfll-never-locks", action="store_true", help="the DFLL never locks on the 32 kHz reference (fallback-clock test)")
    p.add_argument("--dfll-open-loop-error", type=float, default=0.01, help="open-loop DFLL frequency error (0.01 = +1 %%)")
    p.add_argument("--wifi-ssid")
    p.add_argument("--wifi-psk")
    p.add_argument("--winc-fw", help="WINC firmware version X.Y.Z (default 19.6.1)")
    p.add_argument("--root-store", help="4 KiB root-store section placed at WINC flash 0x4000")
    p.add_argument("--tls-store", help="8 KiB TLS-store section placed at WINC flash 0x5000")
    p.add_argument("--winc-flash", help="512 KiB WINC flash image")
    p.add_argument("--flash-out", help="write the WINC flash image here after every change")
    p.add_argument("--winc-mac", help="the WINC's own MAC address (OTP), AA:BB:CC:DD:EE:FF")
    p.add_argument("--winc-flash-asleep", action="store_true", help="the WINC's SPI flash starts in deep power-down")
    p.add_argument("--winc-boot-ms", type=int, default=0, help="WINC firmware start time in ms (default: the model's 20)")
    p.add_argument("--run-for", type=float, help="stop after this many emulated seconds")
    p.add_argument("--power-on-open", action="store_true",
                   help="keep the board unpowered until a program first opens its port (timing tests)")
    p.add_argument("--no-throttle", action="store_true", help="let a sleeping CPU run ahead of the wall clock")
    p.add_argument("--no-idle-skip", action="store_true", help="execute idle loops turn by turn instead of jumping over them")
    p.add_argument("--trace", action="store_true", help="report register-level trace lines")
    return p.parse_args(argv)


def read_file(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as error:
        raise SystemExit(f"samd21emu: cannot read {what} {path}: {error.strerror}")


def main(argv=None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    try:
        board = board_by_name(args.board)
    except KeyError as error:
        print(f"samd21emu: {error.args[0]}", file=sys.stderr)
        return 2
    if args.bootloader and board.app_start == 0 and args.bootloader != "none":
        print("samd21emu: the SAM D21 Xplained Pro image is linked at 0x0000 and has no bootloader", file=sys.stderr)
        return 2
    if args.bootloader:
        from dataclasses import replace
        board = replace(board, bootloader=args.bootloader)
    image_path = args.image or os.path.join(REPO, "firmware", "prebuilt", f"winc-cert-fw-{board.name}.bin")
    image = read_file(image_path, "image")
    options = {"throttle": not args.no_throttle, "trace": args.trace, "host": args.host, "idle_skip": not args.no_idle_skip,
               "dfll_never_locks": args.dfll_never_locks, "dfll_open_loop_error": args.dfll_open_loop_error,
               "wifi_ssid": args.wifi_ssid, "wifi_psk": args.wifi_psk, "flash_out": args.flash_out,
               "winc_flash_asleep": args.winc_flash_asleep, "winc_boot_ms": args.winc_boot_ms}
    if args.winc_mac:
        try:
            options["winc_mac"] = bytes(int(x, 16) for x in args.winc_mac.split(":"))
            assert len(options["winc_mac"]) == 6
        except (ValueError, AssertionError):
            print(f"samd21emu: --winc-mac {args.winc_mac}: expected six hex bytes AA:BB:CC:DD:EE:FF", file=sys.stderr)
            return 2
    if args.bootloader_magic is not None:
        options["region_magic"] = None if args.bootloader_magic == "none" else int(args.bootloader_magic, 16)
    if args.crystal_start_ms is not None:
        options["crystal_start_s"] = None if args.crystal_start_ms == "none" else float(args.crystal_start_ms) / 1000
    if args.winc_fw:
        x, y, z = (int(v) for v in args.winc_fw.split("."))
        options["winc_fw"] = (x << 8) | ((y & 0xF) << 4) | (z & 0xF)
    for key, what in (("root_store", "--root-store"), ("tls_store", "--tls-store"), ("winc_flash", "--winc-flash")):
        path = getattr(args, key)
        if path:
            options[key] = read_file(path, what)

    from .pty import PtyPort
    port = PtyPort()
    print(port.path, flush=True)

    def report(kind, **fields):
        print(json.dumps({"emu": kind, **fields}), flush=True)

    from .system import Samd21System
    try:
        system = Samd21System(board, image, report, options)
        system.attach_link(port)
    except EmulatorFault as fault:
        report("fault", t=0, fault=fault.kind, message=fault.message)
        return 3
    machine = system.m

    def stop(signum, frame):
        machine.stop_requested = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.power_on_open:
        while not port.client_attached() and not machine.stop_requested:
            time.sleep(0.005)
        machine._wall0 = time.monotonic()
        report("power", t=0, event="on", reason="a program opened the port")
    system.run(args.run_for)
    report("stopped", t=machine.now_s(), cycles=machine.cycles.value, blocks_checked=machine.blocks_checked,
           instructions_checked=machine.instructions_checked, idle_skipped_s=round(machine.idle_skipped_fs / 10 ** 15, 3),
           cpu_s=round(time.process_time(), 2), wall_s=round(time.monotonic() - machine._wall0, 2))
    if machine.fault:
        print(f"samd21emu: {machine.fault}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
