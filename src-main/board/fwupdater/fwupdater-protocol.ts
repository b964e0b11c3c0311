/** Arduino WiFi101 FirmwareUpdater sketch protocol (board-programming.md section 3.1). All fields big-endian. */

export const FwCommand = {
  READ_FLASH: 0x01,
  WRITE_FLASH: 0x02,
  ERASE_FLASH: 0x03,
  MAX_PAYLOAD_SIZE: 0x50,
  HELLO: 0x99,
} as const;

export const FW_HEADER_LENGTH = 11;
/** The sketch's static buffer; it does not check lengths, so never exceed it. */
export const FW_MAX_PAYLOAD = 1024;
export const FW_HELLO_ADDRESS = 0x11223344;
export const FW_HELLO_ARG = 0x55667788;
export const FW_HELLO_REPLY = 'v10000';
/** The baud rate Arduino's tools use for MKR1000 (ignored on native USB). */
export const FW_DEFAULT_BAUD = 1_000_000;

export function encodeFwCommand(command: number, address: number, arg1: number, payload: Uint8Array = new Uint8Array()): Uint8Array {
  if (payload.length > FW_MAX_PAYLOAD) throw new RangeError(`FirmwareUpdater payload of ${payload.length} bytes exceeds ${FW_MAX_PAYLOAD}`);
  const out = new Uint8Array(FW_HEADER_LENGTH + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, command);
  view.setUint32(1, address >>> 0);
  view.setUint32(5, arg1 >>> 0);
  view.setUint16(9, payload.length);
  out.set(payload, FW_HEADER_LENGTH);
  return out;
}
