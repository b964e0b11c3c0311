/** Option parsing and section-file handling shared by the `root`, `tls` and `decode` commands. */
import { writeFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { toHex } from '../store/bytes.js';
import { StoreError } from '../store/errors.js';
import { DEFAULT_FIRMWARE, DEFAULT_MODULE, getFlashLayout, type FlashLayout, type FlashRegion } from '../store/flash-layout.js';
import { erasedSection } from '../store/root-store.js';
import { UsageError } from './command.js';

export type ParsedOptions = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

/** node:util parseArgs with errors turned into UsageError. */
export function parseOptions(argv: string[], options: NonNullable<ParseArgsConfig['options']>): ParsedOptions {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as ParsedOptions['values'], positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '.') : String(error));
  }
}

export const LAYOUT_OPTIONS = {
  module: { type: 'string' },
  firmware: { type: 'string' },
} as const;

export function layoutFrom(values: ParsedOptions['values']): FlashLayout {
  const module = typeof values.module === 'string' ? values.module.toLowerCase() : DEFAULT_MODULE;
  const firmware = typeof values.firmware === 'string' ? values.firmware : module === 'winc3400' ? '1.4' : DEFAULT_FIRMWARE;
  try {
    return getFlashLayout(module, firmware);
  } catch (error) {
    if (error instanceof StoreError) throw new UsageError(error.message);
    throw error;
  }
}

export function stringOption(values: ParsedOptions['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The section bytes from a file holding exactly one section, or a whole flash
 * image (then the section is cut out at `region`).
 */
export function sectionFromFile(bytes: Uint8Array, region: FlashRegion, what: string, path: string): { section: Uint8Array; fromImage: boolean } {
  if (bytes.length === region.size) return { section: bytes, fromImage: false };
  if (bytes.length > region.size && bytes.length >= region.offset + region.size && bytes.length % 0x1000 === 0) {
    return { section: bytes.subarray(region.offset, region.offset + region.size), fromImage: true };
  }
  throw new StoreError(
    'SECTION_WRONG_SIZE',
    `${path} is ${bytes.length} bytes; a ${what} section is ${region.size} bytes (or give a whole flash image to cut it from at 0x${region.offset.toString(16)}).`,
  );
}

export async function writeOutput(path: string, bytes: Uint8Array): Promise<void> {
  await writeFile(path, bytes);
}

export function shortHash(hash: Uint8Array): string {
  return toHex(hash);
}

export function isoDate(date: Date | null): string | null {
  return date ? date.toISOString().replace('.000Z', 'Z') : null;
}

/** `winc-cert root|tls erase --out FILE`: writes an all-0xFF section of the layout's size. */
export async function writeErasedSection(argv: string[], io: { stdout(text: string): void }, section: 'root' | 'tls'): Promise<number> {
  const { values, positionals } = parseOptions(argv, { ...LAYOUT_OPTIONS, out: { type: 'string', short: 'o' } });
  if (positionals.length > 0) throw new UsageError(`'${section} erase' takes no certificates (got ${positionals.join(' ')})`);
  const out = stringOption(values, 'out');
  if (!out) throw new UsageError('--out FILE is required');
  const layout = layoutFrom(values);
  const size = section === 'root' ? layout.rootStore.size : layout.tlsStore.size;
  await writeOutput(out, erasedSection(size));
  const effect = section === 'root' ? 'removes every root certificate' : 'removes the server certificates and key';
  io.stdout(`Erased ${section === 'root' ? 'root' : 'TLS'} section (${size} bytes of 0xFF) written to ${out}. Flashing it ${effect}.\n`);
  return 0;
}
