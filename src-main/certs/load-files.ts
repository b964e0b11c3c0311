import { basename } from 'node:path';
import { FileReadError, MAX_CERTIFICATE_FILE_BYTES, readRegularFile } from '../files/regular-file.js';
import type { IntakeInput } from './read-inputs.js';

/** Certificate material is small; anything bigger is not what the user meant to drop. */
export const MAX_INTAKE_FILE_BYTES = MAX_CERTIFICATE_FILE_BYTES;

export class IntakeFileError extends Error {
  constructor(
    readonly code: 'FILE_UNREADABLE' | 'FILE_TOO_LARGE' | 'FILE_NOT_REGULAR' | 'FILE_SYMLINK_LOOP',
    message: string,
  ) {
    super(message);
    this.name = 'IntakeFileError';
  }
}

/**
 * The file-reading edge of the intake: reads paths into IntakeInputs (name = the file's
 * base name). Regular files only, at most 4 MiB each, checked before reading: FIFOs,
 * devices (/dev/zero), folders and symlink loops are refused at once. A password applies
 * to every protected file (PKCS#12, encrypted key), unless `passwords` names one for that
 * base name. Throws IntakeFileError.
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
      bytes = await readRegularFile(path, { maxBytes: MAX_INTAKE_FILE_BYTES, what: 'certificate or key' });
    } catch (error) {
      if (!(error instanceof FileReadError)) throw error;
      const code = error.code === 'FILE_NOT_FOUND' ? 'FILE_UNREADABLE' : error.code;
      throw new IntakeFileError(code, error.message);
    }
    const password = options.passwords?.[name] ?? options.password;
    inputs.push({ name, bytes, ...(password !== undefined ? { password } : {}) });
  }
  return inputs;
}
