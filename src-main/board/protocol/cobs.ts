/**
 * Consistent Overhead Byte Stuffing. The encoded form contains no 0x00 byte,
 * so 0x00 can delimit frames on the wire.
 */

/** Largest encoded size for `length` input bytes. */
export function cobsMaxEncodedLength(length: number): number {
  return length + Math.floor(length / 254) + 1;
}

export function cobsEncode(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(input.length));
  let codeIndex = 0;
  let write = 1;
  let code = 1;
  for (const byte of input) {
    if (byte === 0) {
      out[codeIndex] = code;
      codeIndex = write++;
      code = 1;
      continue;
    }
    out[write++] = byte;
    code++;
    if (code === 0xff) {
      out[codeIndex] = code;
      codeIndex = write++;
      code = 1;
    }
  }
  out[codeIndex] = code;
  return out.subarray(0, write);
}

/** Returns undefined when the input is not valid COBS (a zero byte or a code running past the end). */
export function cobsDecode(input: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(input.length);
  let read = 0;
  let write = 0;
  while (read < input.length) {
    const code = input[read++] ?? 0;
    if (code === 0) return undefined;
    const end = read + code - 1;
    if (end > input.length) return undefined;
    while (read < end) {
      const byte = input[read++] ?? 0;
      if (byte === 0) return undefined;
      out[write++] = byte;
    }
    if (code !== 0xff && read < input.length) out[write++] = 0;
  }
  return out.subarray(0, write);
}
