import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { IntakeInput } from './read-inputs.js';

/** Certificate material is small; anything bigger is not what the user meant to drop. */
export const MAX_INTAKE_FILE_BYTES = 4 * 1024 * 1024;

export class IntakeFileError extends Error {
  constructor(
    readonly code: 'FILE_UNREADABLE' | 'FILE_TOO_LARGE',
    message: string,
  ) {
    super(message);
    this.name = 'IntakeFileError';
  }
}

/**
 * The file-reading edge of the intake: reads paths into IntakeInputs (name =
 * the file's base name). A password applies to every PKCS#12 file, unless
 * `passwords` names one for that base name. Throws IntakeFileError.
 */
export async function loadIntakeInputs(
  paths: readonly string[],
  options: { password?: string; passwords?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<IntakeInput[]> {
  const inputs: IntakeInput[] = [];
  for (const path of paths) {
    options.signal?.throwIfAborted();
    const name = basename(path);
    let bytes: Uint8Array;
    try {
      const info = await stat(path);
      if (info.size > MAX_INTAKE_FILE_BYTES) {
        throw new IntakeFileError('FILE_TOO_LARGE', `${path} is ${info.size} bytes; certificate and key files are a few kilobytes, so check that it is the right file.`);
      }
      bytes = new Uint8Array(await readFile(path, options.signal ? { signal: options.signal } : {}));
    } catch (error) {
      if (error instanceof IntakeFileError) throw error;
      if ((error as Error).name === 'AbortError') throw error;
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder' : error instanceof Error ? error.message : String(error);
      throw new IntakeFileError('FILE_UNREADABLE', `Cannot read ${path}: ${reason}.`);
    }
    const password = options.passwords?.[name] ?? options.password;
    inputs.push({ name, bytes, ...(password !== undefined ? { password } : {}) });
  }
  return inputs;
}
