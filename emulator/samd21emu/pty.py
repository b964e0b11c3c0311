"""
The PC side of the board's serial link: a pseudo-terminal. Whether a program has the port open
stands in for DTR (Linux drops DTR when the last user closes a tty with HUPCL), and the baud the
program set (the slave's termios, visible from the master) is the line coding it asks for.
"""
import errno
import os
import select
import termios
import tty

BAUDS = {getattr(termios, f"B{b}"): b for b in (50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600,
                                                  19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000,
                                                  921600, 1000000, 1152000, 1500000, 2000000) if hasattr(termios, f"B{b}")}


class PtyPort:
    def __init__(self):
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        tty.setraw(slave)
        attrs = termios.tcgetattr(slave)
        attrs[4] = attrs[5] = termios.B115200
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        os.close(slave)
        os.set_blocking(self.master, False)
        self._poll = select.poll()
        self._poll.register(self.master, select.POLLIN | select.POLLHUP)
        self.backlog = bytearray()

    def client_attached(self) -> bool:
        for _, ev in self._poll.poll(0):
            if ev & select.POLLHUP:
                return False
        return True

    def baud(self) -> int:
        try:
            return BAUDS.get(termios.tcgetattr(self.master)[4], 0)
        except termios.error:
            return 0

    def read(self, n: int = 4096) -> bytes:
        try:
            return os.read(self.master, n)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EIO):
                return b""
            raise

    def write(self, data: bytes) -> int:
        """Write what the pty takes now; returns the number of bytes taken."""
        try:
            return os.write(self.master, data)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EIO):
                return 0
            raise

    def writable(self) -> bool:
        return bool(select.select([], [self.master], [], 0)[1])

    def close(self) -> None:
        os.close(self.master)
