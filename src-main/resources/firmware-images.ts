/**
 * The bundled prebuilt SAM D21 firmware images (firmware/prebuilt/ + manifest.json), for
 * development, tests and packaged builds alike. Every image is checked against the manifest's
 * size and SHA-256 before it is handed out.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { resolveResources } from './resource-paths.js';

export class FirmwareImageError extends Error {
  readonly code: 'FIRMWARE_MANIFEST_MISSING' | 'FIRMWARE_MANIFEST_INVALID' | 'FIRMWARE_IMAGE_MISSING' | 'FIRMWARE_IMAGE_CORRUPT' | 'FIRMWARE_NO_IMAGE_FOR_BOARD';
  constructor(code: FirmwareImageError['code'], message: string) {
    super(message);
    this.name = 'FirmwareImageError';
    this.code = code;
  }
}

const address = z.union([z.number().int().nonnegative(), z.string().regex(/^0x[0-9a-fA-F]+$/).transform((s) => Number.parseInt(s, 16))]);

const manifestSchema = z.array(
  z.object({
    board: z.string().min(1),
    version: z.string().min(1),
    linkAddress: address,
    size: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
    file: z.string().min(1),
    hex: z.string().optional(),
  }),
);

export interface FirmwareImageEntry {
  board: string;
  version: string;
  linkAddress: number;
  size: number;
  sha256: string;
  file: string;
  /** Absolute path of the .bin file. */
  path: string;
}

export interface FirmwareLocationOptions {
  /** Folder holding manifest.json (default: resolved like the app's other resources). */
  firmwareDir?: string;
  startDir?: string;
  resourcesPath?: string;
}

function defaultStartDir(): string {
  // import.meta is empty in the CommonJS Electron bundle; fall back to the working directory there.
  const dir = (import.meta as { dirname?: string }).dirname;
  return typeof dir === 'string' ? dir : process.cwd();
}

export function firmwareDirectory(options: FirmwareLocationOptions = {}): string {
  if (options.firmwareDir) return options.firmwareDir;
  const resourcesPath = options.resourcesPath ?? (process as { resourcesPath?: string }).resourcesPath;
  return resolveResources(options.startDir ?? defaultStartDir(), resourcesPath).firmwareDir;
}

export function listFirmwareImages(options: FirmwareLocationOptions = {}): FirmwareImageEntry[] {
  const dir = firmwareDirectory(options);
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new FirmwareImageError('FIRMWARE_MANIFEST_MISSING', `No bundled firmware found (${manifestPath} is missing). Reinstall the app, or pass --image FILE.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new FirmwareImageError('FIRMWARE_MANIFEST_INVALID', `${manifestPath} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new FirmwareImageError('FIRMWARE_MANIFEST_INVALID', `${manifestPath} does not describe firmware images: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return parsed.data.map((entry) => {
    if (path.isAbsolute(entry.file) || entry.file.split(/[\\/]/).includes('..')) {
      throw new FirmwareImageError('FIRMWARE_MANIFEST_INVALID', `${manifestPath} names a file outside its folder: ${entry.file}`);
    }
    return {
      board: entry.board,
      version: entry.version,
      linkAddress: entry.linkAddress,
      size: entry.size,
      sha256: entry.sha256.toLowerCase(),
      file: entry.file,
      path: path.join(dir, entry.file),
    };
  });
}

export function findFirmwareImage(board: string, options: FirmwareLocationOptions = {}): FirmwareImageEntry {
  const entry = listFirmwareImages(options).find((e) => e.board === board);
  if (!entry) throw new FirmwareImageError('FIRMWARE_NO_IMAGE_FOR_BOARD', `There is no bundled firmware for board '${board}'. Pass --image FILE with an image built for it.`);
  return entry;
}

/** Reads a bundled image and checks it against its manifest entry. */
export function loadFirmwareImage(board: string, options: FirmwareLocationOptions = {}): { entry: FirmwareImageEntry; data: Uint8Array } {
  const entry = findFirmwareImage(board, options);
  if (!existsSync(entry.path)) throw new FirmwareImageError('FIRMWARE_IMAGE_MISSING', `The bundled firmware ${entry.path} is missing. Reinstall the app, or pass --image FILE.`);
  const data = new Uint8Array(readFileSync(entry.path));
  const digest = createHash('sha256').update(data).digest('hex');
  if (data.length !== entry.size || digest !== entry.sha256) {
    throw new FirmwareImageError(
      'FIRMWARE_IMAGE_CORRUPT',
      `The bundled firmware ${entry.file} does not match its manifest (size ${data.length}/${entry.size}, sha256 ${digest.slice(0, 12)}…). Reinstall the app.`,
    );
  }
  return { entry, data };
}
