/**
 * The TLS store's `PRIV_…` file (winc-cert-store.md §3.5): Microchip's
 * tstrRsaPrivateKey struct as compiled for a 32-bit target (eight u16 sizes,
 * u32 version, eight u32 pointers = 52 bytes) followed by N, e, d, p, q, dP,
 * dQ, qInv, each starting on a 4-byte boundary.
 */
import type { RsaPrivateKey } from '../keys/private-key.js';
import { readU16, readU32, wordAlign, writeU16, writeU32 } from './bytes.js';
import { StoreError } from './errors.js';

export const PRIV_STRUCT_SIZE = 52;
const ELEMENTS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
type ElementName = (typeof ELEMENTS)[number];

/**
 * The pointer words hold the tool's heap address of each element; the firmware
 * cannot use them as absolute addresses. We write base + element offset with the
 * base Microchip's 19.6.1 image carries.
 */
export const DEFAULT_PRIV_POINTER_BASE = 0x008083c0;

export interface PrivKeyFileOptions {
  pointerBase?: number;
  /** Value of the alignment bytes after an element (uninitialised in Microchip's tool). Default 0x00. */
  padByte?: number;
}

export interface DecodedPrivKeyFile {
  key: RsaPrivateKey;
  version: number;
  /** The eight pointer words as stored. */
  pointers: number[];
}

function elementBytes(key: Pick<RsaPrivateKey, ElementName>, name: ElementName): Uint8Array {
  const bytes = key[name];
  // Microchip strips at most one leading zero (the DER sign byte).
  return bytes.length > 1 && bytes[0] === 0 ? bytes.subarray(1) : bytes;
}

export function encodePrivKeyFile(key: Pick<RsaPrivateKey, ElementName>, options: PrivKeyFileOptions = {}): Uint8Array {
  const base = options.pointerBase ?? DEFAULT_PRIV_POINTER_BASE;
  const elements = ELEMENTS.map((name) => elementBytes(key, name));
  for (const [index, bytes] of elements.entries()) {
    if (bytes.length === 0 || bytes.length > 0xffff) throw new StoreError('TLS_PRIVATE_KEY_CORRUPT', `RSA key element ${ELEMENTS[index]} has an unusable length (${bytes.length}).`);
  }
  const size = elements.reduce((total, bytes) => total + wordAlign(bytes.length), PRIV_STRUCT_SIZE);
  const out = new Uint8Array(size).fill(options.padByte ?? 0);
  let offset = PRIV_STRUCT_SIZE;
  elements.forEach((bytes, index) => {
    writeU16(out, index * 2, bytes.length);
    writeU32(out, 20 + index * 4, (base + offset) >>> 0);
    out.set(bytes, offset);
    offset += wordAlign(bytes.length);
  });
  writeU32(out, 16, 0);
  return out;
}

export function decodePrivKeyFile(data: Uint8Array): DecodedPrivKeyFile {
  if (data.length < PRIV_STRUCT_SIZE) {
    throw new StoreError('TLS_PRIVATE_KEY_CORRUPT', `The private key file is ${data.length} bytes; it needs at least the ${PRIV_STRUCT_SIZE}-byte header. The TLS store is corrupt.`);
  }
  const values: Partial<Record<ElementName, Uint8Array>> = {};
  let offset = PRIV_STRUCT_SIZE;
  ELEMENTS.forEach((name, index) => {
    const length = readU16(data, index * 2);
    if (length === 0 || offset + length > data.length) {
      throw new StoreError('TLS_PRIVATE_KEY_CORRUPT', `The private key file's ${name} (${length} bytes at ${offset}) does not fit in its ${data.length} bytes. The TLS store is corrupt.`);
    }
    values[name] = data.slice(offset, offset + length);
    offset += wordAlign(length);
  });
  const n = values.n!;
  let bits = 0;
  const first = n.findIndex((byte) => byte !== 0);
  if (first >= 0) bits = (n.length - first - 1) * 8 + (32 - Math.clz32(n[first]!));
  return {
    key: { kind: 'rsa', ...(values as Record<ElementName, Uint8Array>), bits },
    version: readU32(data, 16),
    pointers: ELEMENTS.map((_name, index) => readU32(data, 20 + index * 4)),
  };
}
