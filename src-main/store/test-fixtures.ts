/** Paths and loaders for the shared reference vectors, used by the store tests only. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SHARED_DIR = join(import.meta.dirname, '..', '..', '..', 'shared');
export const VECTORS_DIR = join(SHARED_DIR, 'vectors');
export const REAL_SECTIONS_DIR = join(SHARED_DIR, 'winc-real-sections');

export interface ManifestEntry {
  id: string;
  description: string;
  tool: string;
  inputs: string[];
  output: string;
  size: number;
  sha256: string;
  exit_code: number;
  dont_care_ranges: [number, number][];
  decoded: null | {
    count: number;
    end_offset?: number;
    entries?: { offset: number; size_by_microchip_rule: number; name_sha1: string; start: string; expiry: string; type: 'RSA' | 'ECDSA'; n_len?: number; e_len?: number; curve_id?: number; coord_len?: number }[];
    files?: { index: number; name: string; size: number; addr: string; rel_offset: number }[];
    next_write_addr?: string;
    crc_field?: string;
  };
}

export function loadManifest(): ManifestEntry[] {
  return (JSON.parse(readFileSync(join(VECTORS_DIR, 'manifest.json'), 'utf8')) as { vectors: ManifestEntry[] }).vectors;
}

export function vectorInput(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(VECTORS_DIR, 'inputs', name)));
}

export function vectorOutput(entry: ManifestEntry): Uint8Array {
  return new Uint8Array(readFileSync(join(VECTORS_DIR, entry.output)));
}

export function realSections(prefix: string): { name: string; bytes: Uint8Array }[] {
  return readdirSync(REAL_SECTIONS_DIR)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.bin'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(REAL_SECTIONS_DIR, name))) }));
}

/** Indices where a and b differ outside the half-open don't-care ranges (and any length difference). */
export function differencesOutside(a: Uint8Array, b: Uint8Array, dontCare: [number, number][] = []): number[] {
  const out: number[] = [];
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (dontCare.some(([start, end]) => i >= start && i < end)) continue;
    if (a[i] !== b[i]) out.push(i);
    if (out.length > 20) break;
  }
  return out;
}
