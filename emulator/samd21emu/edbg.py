"""
The SAM D21 Xplained Pro's PC link: the EDBG's virtual COM port bridged to SERCOM3 (PA22 = SAM D21
TX, PA23 = SAM D21 RX). The EDBG drives its UART at the baud the PC sets on the COM port, and keeps
its UART pins high-impedance until the PC asserts DTR (samd21-facts.md 7.4, D20UG 3.1): here, until
a program opens the pty. Bytes the SAM D21 sends at a baud more than 2.5 % off the COM port's, or
MSB first, arrive garbled, as a real UART receiver would take them.
"""
from .sercom import UART_TOLERANCE

FS = 10 ** 15
POLL_S = 0.001
FLUSH_S = 0.005      # the PC sees the board's bytes at most 5 ms late (fewer, larger pty writes)
FLUSH_BYTES = 1024


class EdbgBridge:
    def __init__(self, m, board, port, sercom):
        self.m = m
        self.board = board
        self.port = port
        self.sercom = sercom
        self.to_board = bytearray()
        self.sending = False
        self.attached = False
        self.wrong_baud_reported = False
        self.to_pc = bytearray()
        self.last_flush = 0
        sercom.uart_peer = self
        m.every(int(POLL_S * FS), self._poll)

    def _flush(self) -> None:
        if self.to_pc:
            taken = self.port.write(bytes(self.to_pc))
            del self.to_pc[:max(taken, 0)]
            if len(self.to_pc) > 65536:
                self.to_pc.clear()  # nobody reads: the EDBG's buffer overflows

    def _poll(self) -> None:
        if self.to_pc and (len(self.to_pc) >= FLUSH_BYTES or self.m.now() - self.last_flush >= int(FLUSH_S * FS)):
            self._flush()
            self.last_flush = self.m.now()
        attached = self.port.client_attached()
        if attached != self.attached:
            self.attached = attached
            self.m.report("link", t=self.m.now_s(), event="dtr-on" if attached else "dtr-off", baud=self.port.baud())
            if not attached:
                self.to_board.clear()
                self.to_pc.clear()
        if attached:
            data = self.port.read()
            if data:
                self.to_board += data
                if not self.sending:
                    self._send_next()

    def _send_next(self) -> None:
        if not self.to_board or not self.attached:
            self.sending = False
            return
        self.sending = True
        baud = self.port.baud() or 115200
        byte = self.to_board.pop(0)
        frame = int(10 * FS / baud)
        self.m.after(frame, lambda: self._deliver(byte, baud))

    def _deliver(self, byte: int, baud: int) -> None:
        self.sercom.uart_receive(self.board.uart_rx, byte, baud)
        self._send_next()

    def line_byte(self, sercom, tx_pin, byte: int, baud: float, lsb_first: bool, end_time: int) -> None:
        """The SAM D21 shifted a frame out of its TX pad (called when it starts)."""
        if tx_pin != self.board.uart_tx or not self.attached:
            return
        pc_baud = self.port.baud() or 115200
        if abs(baud - pc_baud) / pc_baud > UART_TOLERANCE:
            byte = (byte << 1 | 1) & 0xFF
            if not self.wrong_baud_reported:
                self.wrong_baud_reported = True
                self.m.report("link", t=self.m.now_s(), event="baud-mismatch", board_baud=round(baud), pc_baud=pc_baud)
        if not lsb_first:
            byte = int(f"{byte:08b}"[::-1], 2)
        self.to_pc.append(byte)
