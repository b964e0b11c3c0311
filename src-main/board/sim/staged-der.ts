/**
 * What the board keeps of a downloaded certificate or key file: the firmware's streaming decoder
 * (firmware/core/der_stream.c), rule for rule, so the simulator counts the same bytes against the
 * board's limits. DER when the first byte is 0x30; otherwise the base64 body of the first
 * "-----BEGIN" block up to its "-----END" (whitespace ignored, '=' ends the data). Undefined when
 * there is no such block, or the block has headers (an encrypted key's "Proc-Type:").
 */
const BEGIN = Buffer.from('-----BEGIN', 'ascii');
const END = Buffer.from('-----END', 'ascii');

/** "-----END" at `at`: the only way a block's data ends. */
function endsAt(file: Uint8Array, at: number): boolean {
  return Buffer.from(file.subarray(at, at + END.length)).equals(END);
}

function base64Value(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  return c === 0x2b ? 62 : c === 0x2f ? 63 : -1;
}

export function stagedDer(file: Uint8Array): Uint8Array | undefined {
  if (file.length === 0) return undefined;
  if (file[0] === 0x30) return file;
  const begin = Buffer.from(file).indexOf(BEGIN);
  if (begin < 0) return undefined;
  let at = file.indexOf(0x0a, begin + BEGIN.length);
  if (at < 0) return undefined;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (at++; at < file.length; at++) {
    const c = file[at]!;
    const v = base64Value(c);
    if (v >= 0) {
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push((acc >> bits) & 0xff);
      }
    } else if (c === 0x3d) {
      // '=': padding; only more '=' and whitespace may come before the END line
      for (at++; at < file.length && [0x3d, 0x0d, 0x0a, 0x20, 0x09].includes(file[at]!); at++);
      return at < file.length && endsAt(file, at) && out.length > 0 ? Uint8Array.from(out) : undefined;
    } else if (c === 0x2d) {
      return endsAt(file, at) && out.length > 0 ? Uint8Array.from(out) : undefined;
    } else if (c !== 0x0d && c !== 0x0a && c !== 0x20 && c !== 0x09) {
      return undefined;
    }
  }
  return undefined;
}
