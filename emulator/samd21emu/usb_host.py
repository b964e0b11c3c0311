"""
A USB host port with the board plugged in, and the PC's driver for it.

Enumeration follows what Linux and Windows do with a full-speed device (connect debounce, port
reset, GET_DESCRIPTOR(device, 64) at address 0, a second reset, SET_ADDRESS, the descriptors,
strings, SET_CONFIGURATION); Windows also asks for the configuration with wLength 255, the device
qualifier (a full-speed device must STALL it) and the Microsoft OS string (0xEE, STALL allowed).
Descriptors are checked as the hosts parse them. Then the class driver:

* Linux cdc_acm binds to an interface of class 02/02 whose data interface (union descriptor)
  has a bulk IN and a bulk OUT endpoint, with or without an interface association.
* Windows binds usbser.sys on its own only to a device of class 02/02, or to the CDC function of
  a composite device (class EF/02/01) grouped by an Interface Association Descriptor; otherwise
  the device gets no COM port. Microsoft, "USB serial driver (Usbser.sys)"
  (learn.microsoft.com/windows-hardware/drivers/usbcon/usb-driver-installation-based-on-compatible-ids):
  Usbser.inf matches the compatible IDs of class 02 subclass 02, "if the device specifies class 02
  but a subclass other than 02, Usbser.sys does not load automatically"; a composite device's
  function gets its compatible IDs from its IAD only when the device is EF/02/01.

Once bound, the pty is the COM port: a program opening it raises DTR/RTS
(SET_CONTROL_LINE_STATE 3), its baud is sent as SET_LINE_CODING, closing it drops DTR (so the
1200-baud touch reaches the firmware exactly as from a PC), written bytes go out as bulk OUT
packets and bulk IN is polled while the port is open. Up to ten transactions per 1 ms frame.
"""
import struct

from .errors import EmulatorFault

FS = 10 ** 15
FRAME = FS // 1000
SLOT = FS // 10_000
CONTROL_TIMEOUT_S = 5.0
DEBOUNCE_S = 0.1
RESET_S = 0.02
ADDRESS = 7


class TransferError(Exception):
    pass


class Stalled(TransferError):
    pass


class UsbHost:
    def __init__(self, m, device, port, flavour="linux"):
        self.m = m
        self.dev = device
        self.port = port
        self.flavour = flavour
        self.connected = False
        self.proc = None            # the running host procedure (generator)
        self.waiting = None         # what the procedure waits for
        self.bound = None           # dict with the endpoints once a driver has the device
        self.client = False
        self.line_baud = None
        self.to_device = bytearray()
        self.to_pc = bytearray()
        self.last_flush = 0
        self.in_busy = False
        self.pty_full = False
        self.addr = 0
        self.slot_event = None
        self.in_reset = False
        device.on_attach_change = self._attach_changed
        m.every(FRAME, self._frame)

    def report(self, event, **fields):
        self.m.report("usb", t=self.m.now_s(), host=self.flavour, event=event, **fields)

    # ---------------------------------------------------------------- port events
    def _attach_changed(self, attached: bool) -> None:
        if attached and not self.connected:
            self.connected = True
            self.report("connect")
            self._start(self._enumerate())
        elif not attached and self.connected:
            self.connected = False
            self.proc = None
            self.bound = None
            self.addr = 0
            self.report("disconnect")

    def _start(self, proc) -> None:
        self.proc = proc
        self.waiting = None
        self._step(None)

    def _step(self, value) -> None:
        try:
            self.waiting = self.proc.send(value)
        except StopIteration:
            self.proc = None
            self.waiting = None
        except TransferError as error:
            self.report("transfer-failed", detail=str(error))
            self.proc = None
            self.waiting = None

    # ---------------------------------------------------------------- scheduling
    def _frame(self) -> None:
        if not self.connected:
            return
        if not self.in_reset:
            self.dev.sof()
            self._poll_port()
            if self.to_pc and self.m.now() - self.last_flush >= 5 * FRAME:
                self._flush_to_pc()
        if self.slot_event is None:
            self._slot()

    def _slot(self) -> None:
        """One transaction for each pipe that has work; more slots in this frame while busy."""
        self.slot_event = None
        busy = False
        w = self.waiting
        if w is not None:
            kind = w[0]
            if kind == "delay":
                if self.m.now() >= w[1]:
                    self._step(None)
                    busy = True
            elif kind == "control":
                busy = self._control_step(w[1]) or busy
        if self.bound and self.client and self.proc is None:
            busy = self._bulk_out() or busy
            busy = self._bulk_in() or busy
        if busy and self.connected:
            self.slot_event = self.m.after(SLOT, self._slot)

    # ---------------------------------------------------------------- control transfers
    def control(self, bm, req, value, index, length, data=b""):
        """A control transfer as a generator step: yields until done, returns the IN data."""
        state = {"setup": struct.pack("<BBHHH", bm, req, value, index, length), "stage": "setup", "in": bytearray(),
                 "out": bytes(data), "sent": 0, "errors": 0, "deadline": self.m.now() + int(CONTROL_TIMEOUT_S * FS),
                 "name": f"{'IN' if bm & 0x80 else 'OUT'} request {req} value 0x{value:04X} length {length}"}
        result = yield ("control", state)
        if isinstance(result, Exception):
            raise result
        return result

    def _control_step(self, st) -> bool:
        if self.m.now() > st["deadline"]:
            self._step(TransferError(f"{st['name']}: timeout after {CONTROL_TIMEOUT_S:.0f} s (NAK)"))
            return False
        dev = self.dev
        maxp = 64
        try:
            if st["stage"] == "setup":
                r = dev.setup(self.addr, 0, st["setup"])
                if r is None:
                    return self._error(st, "no answer to SETUP")
                bm = st["setup"][0]
                length = struct.unpack_from("<H", st["setup"], 6)[0]
                st["stage"] = ("data-in" if bm & 0x80 else "data-out") if length else "status-in"
                return True
            if st["stage"] == "data-in":
                r = dev.in_token(self.addr, 0)
                settled = self._settle(st, r, "no answer to IN")
                if settled is not None:
                    return settled
                data = r[1]
                st["in"] += data
                length = struct.unpack_from("<H", st["setup"], 6)[0]
                if len(data) < maxp or len(st["in"]) >= length:
                    st["stage"] = "status-out"
                return True
            if st["stage"] == "data-out":
                chunk = st["out"][st["sent"]:st["sent"] + maxp]
                r = dev.out_token(self.addr, 0, chunk)
                settled = self._settle(st, r, "no answer to OUT")
                if settled is not None:
                    return settled
                st["sent"] += len(chunk)
                if st["sent"] >= len(st["out"]):
                    st["stage"] = "status-in"
                return True
            if st["stage"] == "status-out":
                r = dev.out_token(self.addr, 0, b"")
                settled = self._settle(st, r, "no answer in the status stage", stall=" in the status stage")
                if settled is not None:
                    return settled
                self._step(bytes(st["in"]))
                return True
            if st["stage"] == "status-in":
                r = dev.in_token(self.addr, 0)
                settled = self._settle(st, r, "no answer in the status stage")
                if settled is not None:
                    return settled
                if r[1]:
                    return self._error(st, f"status stage returned {len(r[1])} bytes instead of a zero-length packet")
                self._step(b"")
                return True
        except EmulatorFault as fault:
            self.m.fault = self.m.fault or fault
            return False
        return False

    def _settle(self, st, r, no_answer, stall=""):
        """A token's handshake: True to try again (NAK, or a retried error), False when the transfer
        ended (STALL, too many errors), None when a data packet came and the stage goes on."""
        if r == "NAK":
            return True
        if r == "STALL":
            self._step(Stalled(f"{st['name']}: STALL{stall}"))
            return False
        if r is None:
            return self._error(st, no_answer)
        return None

    def _error(self, st, what) -> bool:
        st["errors"] += 1
        if st["errors"] >= 3:
            self._step(TransferError(f"{st['name']}: {what} (error -71, EPROTO)"))
            return False
        return True

    def delay(self, seconds):
        yield ("delay", self.m.now() + int(seconds * FS))

    def port_reset(self):
        self.in_reset = True
        yield from self.delay(RESET_S)
        self.in_reset = False
        self.addr = 0
        self.dev.bus_reset()
        yield from self.delay(0.01)

    # ---------------------------------------------------------------- enumeration
    def _enumerate(self):
        for attempt in range(3):
            try:
                yield from self.delay(DEBOUNCE_S if attempt == 0 else 0.1)
                yield from self._enumerate_once()
                return
            except TransferError as error:
                self.report("enumeration-error", attempt=attempt + 1, detail=str(error))
        self.report("enumeration-failed", detail="device not accepting address or not answering descriptor requests")

    def _get_descriptor(self, kind, index, length, lang=0):
        return (yield from self.control(0x80, 6, (kind << 8) | index, lang, length))

    def _enumerate_once(self):
        yield from self.port_reset()
        first = yield from self._get_descriptor(1, 0, 64)
        if len(first) < 8:
            raise TransferError(f"device descriptor read/64: {len(first)} bytes")
        if first[7] not in (8, 16, 32, 64):
            raise TransferError(f"bMaxPacketSize0 {first[7]} is invalid for full speed")
        yield from self.port_reset()
        yield from self.control(0x00, 5, ADDRESS, 0, 0)
        self.addr = ADDRESS
        yield from self.delay(0.002 if self.flavour == "windows" else 0.01)
        dd = yield from self._get_descriptor(1, 0, 18)
        if len(dd) != 18 or dd[0] != 18 or dd[1] != 1:
            raise TransferError(f"device descriptor: got {len(dd)} bytes {dd[:2].hex()}")
        device = self._parse_device(dd)
        if self.flavour == "windows":
            config = yield from self._get_descriptor(2, 0, 255)
            total = struct.unpack_from("<H", config, 2)[0] if len(config) >= 4 else 0
            if total > len(config):
                config = yield from self._get_descriptor(2, 0, total)
        else:
            head = yield from self._get_descriptor(2, 0, 9)
            if len(head) < 9:
                raise TransferError("config descriptor: short read of the header")
            total = struct.unpack_from("<H", head, 2)[0]
            config = yield from self._get_descriptor(2, 0, total)
        if len(config) != total:
            raise TransferError(f"config descriptor: wTotalLength {total} but {len(config)} bytes returned")
        parsed = self._parse_config(config)
        strings = {}
        langs = yield from self._get_descriptor(3, 0, 255)
        self._check_string(langs, 0)
        lang = struct.unpack_from("<H", langs, 2)[0] if len(langs) >= 4 else 0x0409
        for name, index in (("manufacturer", device["iManufacturer"]), ("product", device["iProduct"]), ("serial", device["iSerial"])):
            if index:
                raw = yield from self._get_descriptor(3, index, 255, lang)
                strings[name] = self._check_string(raw, index)
        if self.flavour == "windows":
            try:
                yield from self._get_descriptor(6, 0, 10)
                raise TransferError("device qualifier answered: a full-speed-only device must STALL it (USB 2.0 9.6.2)")
            except Stalled:
                pass
            try:
                yield from self._get_descriptor(3, 0xEE, 18)
            except Stalled:
                pass
        yield from self.control(0x00, 9, 1, 0, 0)
        self.report("enumerated", vid=f"{device['idVendor']:04X}", pid=f"{device['idProduct']:04X}",
                    device_class=device["class"], iad=parsed["iad"], strings=strings,
                    interfaces=[f"{i['class']:02X}/{i['subclass']:02X}/{i['protocol']:02X}" for i in parsed["interfaces"].values()])
        self._bind(device, parsed)

    def _parse_device(self, dd: bytes) -> dict:
        (_, _, bcd, cls, sub, proto, mp0, vid, pid, _, im, ip, isn, ncfg) = struct.unpack("<BBHBBBBHHHBBBB", dd)
        if ncfg < 1:
            raise TransferError("device has no configuration")
        return {"class": f"{cls:02X}/{sub:02X}/{proto:02X}", "cls": (cls, sub, proto), "idVendor": vid, "idProduct": pid,
                "iManufacturer": im, "iProduct": ip, "iSerial": isn}

    def _check_string(self, raw: bytes, index: int) -> str:
        if len(raw) < 2 or raw[1] != 3 or raw[0] != len(raw) or raw[0] % 2:
            raise TransferError(f"string descriptor {index}: malformed ({raw[:4].hex()})")
        return raw[2:].decode("utf-16-le", "replace")

    def _parse_config(self, config: bytes) -> dict:
        if config[1] != 2 or config[0] != 9:
            raise TransferError("config descriptor: bad header")
        n_if = config[4]
        pos = config[0]
        interfaces = {}
        current = None
        iads = []
        union = None
        while pos < len(config):
            length = config[pos]
            if length < 2 or pos + length > len(config):
                raise TransferError(f"config 1 has an invalid descriptor of length {length} at offset {pos}")
            kind = config[pos + 1]
            body = config[pos:pos + length]
            if kind == 4:
                number, alt, n_ep, cls, sub, proto = body[2], body[3], body[4], body[5], body[6], body[7]
                current = {"number": number, "class": cls, "subclass": sub, "protocol": proto, "declared": n_ep, "endpoints": []}
                if alt == 0:
                    interfaces[number] = current
            elif kind == 5:
                if current is None:
                    raise TransferError("endpoint descriptor before any interface")
                current["endpoints"].append({"address": body[2], "type": body[3] & 3, "size": struct.unpack_from("<H", body, 4)[0]})
            elif kind == 0x0B:
                if length != 8:
                    raise TransferError(f"interface association descriptor of length {length}")
                iads.append({"first": body[2], "count": body[3], "class": body[4], "subclass": body[5], "protocol": body[6]})
            elif kind == 0x24 and length >= 5 and body[2] == 0x06:
                union = {"master": body[3], "slave": body[4]}
            pos += length
        for i in interfaces.values():
            if len(i["endpoints"]) != i["declared"]:
                raise TransferError(f"config 1 interface {i['number']} has {len(i['endpoints'])} endpoint descriptors, "
                                    f"different from the interface descriptor's value: {i['declared']}")
        if len(interfaces) != n_if:
            raise TransferError(f"config 1 has {len(interfaces)} interfaces, different from the descriptor's value: {n_if}")
        for iad in iads:
            for n in range(iad["first"], iad["first"] + iad["count"]):
                if n not in interfaces:
                    raise TransferError(f"interface association names interface {n}, which does not exist")
        return {"interfaces": interfaces, "iad": iads, "union": union}

    # ---------------------------------------------------------------- class driver
    def _bind(self, device, parsed) -> None:
        interfaces = parsed["interfaces"]
        comm = next((i for i in interfaces.values() if (i["class"], i["subclass"]) == (2, 2)), None)
        if comm is None:
            self.report("no-driver", detail="no CDC ACM communication interface (class 02/02)")
            return
        data_if = interfaces.get(parsed["union"]["slave"]) if parsed["union"] else None
        if data_if is None or data_if["class"] != 0x0A:
            self.report("no-driver", detail="the CDC union descriptor names no data interface of class 0A")
            return
        ep_in = next((e for e in data_if["endpoints"] if e["type"] == 2 and e["address"] & 0x80), None)
        ep_out = next((e for e in data_if["endpoints"] if e["type"] == 2 and not e["address"] & 0x80), None)
        if ep_in is None or ep_out is None:
            self.report("no-driver", detail="the CDC data interface lacks a bulk IN or bulk OUT endpoint")
            return
        if self.flavour == "windows":
            reason = self._windows_rule(device, parsed, comm, data_if)
            if reason:
                self.report("no-driver", driver="usbser.sys", detail=reason)
                return
            driver = "usbser.sys"
        else:
            driver = "cdc_acm"
        self.bound = {"in": ep_in["address"] & 0x0F, "out": ep_out["address"] & 0x0F, "size_in": ep_in["size"],
                      "size_out": ep_out["size"], "comm": comm["number"]}
        self.line_baud = self.port.baud()
        self.client = False
        self.report("bound", driver=driver, interface=comm["number"])

    def _windows_rule(self, device, parsed, comm, data_if) -> str | None:
        cls = device["cls"]
        if cls[0] == 0x02 and cls[1] == 0x02:
            return None
        if cls == (0xEF, 0x02, 0x01):
            for iad in parsed["iad"]:
                group = range(iad["first"], iad["first"] + iad["count"])
                if (iad["class"], iad["subclass"]) == (2, 2) and comm["number"] in group and data_if["number"] in group:
                    return None
            return ("composite device (EF/02/01) without an Interface Association Descriptor grouping the CDC "
                    "communication and data interfaces: usbccgp gives each interface its own function and usbser.sys "
                    "cannot start on the communication interface alone (Code 10)")
        return (f"device class {device['class']}: Windows loads usbser.sys on its own only for class 02/02 or a "
                "composite device (EF/02/01) whose CDC function is grouped by an IAD - this device gets no COM port "
                "without a vendor INF")

    # ---------------------------------------------------------------- the COM port
    def _poll_port(self) -> None:
        if not self.bound or self.proc is not None:
            return
        attached = self.port.client_attached()
        baud = self.port.baud()
        if not attached and not self.client and self.line_baud is not None and baud != self.line_baud:
            # A program opened the port, set its baud and closed it again between two polls (the
            # 1200-baud touch does that in a few ms): the kernel would have sent all of it.
            self.report("port-opened", baud=baud, brief=True)
            self.report("port-closed", baud=baud)
            self.line_baud = baud
            self._start(self._class_requests([("line-state", 3), ("line-coding", baud), ("line-state", 0)]))
            return
        if attached and not self.client:
            self.client = True
            self.line_baud = baud
            self.report("port-opened", baud=baud)
            self._start(self._class_requests([("line-state", 3), ("line-coding", baud)]))
        elif self.client and (not attached or baud != self.line_baud):
            steps = []
            if baud != self.line_baud:
                self.line_baud = baud
                steps.append(("line-coding", baud))
            if not attached:
                self.client = False
                self.to_device.clear()
                steps.append(("line-state", 0))
                self.report("port-closed", baud=baud)
            self._start(self._class_requests(steps))
        if self.client:
            data = self.port.read(4096)
            if data:
                self.to_device += data

    def _class_requests(self, steps):
        comm = self.bound["comm"]
        for kind, value in steps:
            try:
                if kind == "line-state":
                    yield from self.control(0x21, 0x22, value, comm, 0)
                else:
                    yield from self.control(0x21, 0x20, 0, comm, 7, struct.pack("<IBBB", value, 0, 0, 8))
            except Stalled as error:
                self.report("class-request-stalled", detail=str(error))

    def _bulk_out(self) -> bool:
        if not self.to_device:
            return False
        size = self.bound["size_out"]
        chunk = bytes(self.to_device[:size])
        try:
            r = self.dev.out_token(self.addr, self.bound["out"], chunk)
        except EmulatorFault as fault:
            self.m.fault = self.m.fault or fault
            return False
        if r == "ACK":
            del self.to_device[:len(chunk)]
        return True

    def _bulk_in(self) -> bool:
        if self.pty_full and not self.port.writable():
            return False
        try:
            r = self.dev.in_token(self.addr, self.bound["in"])
        except EmulatorFault as fault:
            self.m.fault = self.m.fault or fault
            return False
        if isinstance(r, tuple):
            if r[1]:
                self.to_pc += r[1]
                if len(self.to_pc) >= 1024:
                    self._flush_to_pc()
            return True
        return False

    def _flush_to_pc(self) -> None:
        if self.to_pc:
            taken = self.port.write(bytes(self.to_pc))
            if taken < len(self.to_pc):
                self.pty_full = True
                self.report("pty-overflow", lost=len(self.to_pc) - taken)
            self.to_pc.clear()
        self.last_flush = self.m.now()
