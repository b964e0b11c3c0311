"""Instruction-level emulator of the project's SAM D21 boards (see emulator/README.md)."""
