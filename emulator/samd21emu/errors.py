"""What the emulator reports when firmware does something silicon would not tolerate."""


class EmulatorFault(Exception):
    """A strict-model violation or a CPU fault. `kind` is a stable short name for tests."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
