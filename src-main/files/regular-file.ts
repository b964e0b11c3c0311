/**
 * The one way the app and the CLI read a file the user named or dropped: regular files
 * only, their size checked before a byte is read. A FIFO would block forever, /dev/zero
 * (or a symlink to it) never ends, a symlink loop never resolves: each is refused at once
 * with a sentence that says what the path is. The file is opened once and checked through
 * its descriptor, so what is checked is what is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** Certificates, keys and PKCS#12 files are a few KiB; anything bigger is not what was meant. */
export const MAX_CERTIFICATE_FILE_BYTES = 4 * 1024 * 1024;
/** Store sections are 4 or 8 KiB and a whole WINC flash image is at most 1 MiB; firmware images are smaller. */
export const MAX_IMAGE_FILE_BYTES = 16 * 1024 * 1024;

export type FileReadErrorCode = 'FILE_NOT_FOUND' | 'FILE_NOT_REGULAR' | 'FILE_TOO_LARGE' | 'FILE_SYMLINK_LOOP' | 'FILE_UNREADABLE';

export class FileReadError extends Error {
  constructor(
    readonly code: FileReadErrorCode,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

export interface ReadRegularFileOptions {
  /** Refused above this many bytes (checked before reading, and again while reading). */
  maxBytes: number;
  /** What the file is meant to be, for messages: "certificate", "section", "firmware image". */
  what?: string;
}

// O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused right after). Windows has no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const CHUNK_BYTES = 64 * 1024;

export async function readRegularFile(path: string, options: ReadRegularFileOptions): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(path, error, options);
  }
  try {
    checkStats(path, await handle.stat(), options);
    const collected = new BoundedChunks(path, options);
    for (let chunk = collected.next(); ; chunk = collected.next()) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (!collected.took(chunk, bytesRead)) return collected.bytes();
    }
  } catch (error) {
    throw unreadable(path, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export function readRegularFileSync(path: string, options: ReadRegularFileOptions): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(path, error, options);
  }
  try {
    checkStats(path, fstatSync(fd), options);
    const collected = new BoundedChunks(path, options);
    for (let chunk = collected.next(); ; chunk = collected.next()) {
      if (!collected.took(chunk, readSync(fd, chunk, 0, chunk.length, null))) return collected.bytes();
    }
  } catch (error) {
    throw unreadable(path, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * The chunks of one read, up to the size limit: reading one byte past it proves a file too large even
 * when it grew after its size was checked (or reports none, as /proc files do).
 */
class BoundedChunks {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;

  constructor(
    private readonly path: string,
    private readonly options: ReadRegularFileOptions,
  ) {}

  next(): Uint8Array {
    return new Uint8Array(Math.min(CHUNK_BYTES, this.options.maxBytes + 1 - this.total));
  }

  /** Keeps what was read into `chunk`; false at the end of the file. */
  took(chunk: Uint8Array, bytesRead: number): boolean {
    if (bytesRead === 0) return false;
    this.chunks.push(chunk.subarray(0, bytesRead));
    this.total += bytesRead;
    if (this.total > this.options.maxBytes) throw tooLarge(this.path, this.total, this.options, true);
    return true;
  }

  bytes(): Uint8Array {
    return concat(this.chunks, this.total);
  }
}

function unreadable(path: string, error: unknown): FileReadError {
  if (error instanceof FileReadError) return error;
  return new FileReadError('FILE_UNREADABLE', `Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}.`, path);
}

/** What a non-regular path is, in words a technician knows. */
export function describeNonRegular(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO), which would block until something writes to it';
  if (stats.isCharacterDevice()) return 'a device (like /dev/zero or a serial port), which has no end';
  if (stats.isBlockDevice()) return 'a disk device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** "a certificate file", "an audit file", or "a file". */
function kindOfFile(options: ReadRegularFileOptions): string {
  if (!options.what) return 'a file';
  return `${/^[aeiou]/i.test(options.what) ? 'an' : 'a'} ${options.what} file`;
}

function checkStats(path: string, stats: Stats, options: ReadRegularFileOptions): void {
  if (!stats.isFile()) {
    throw new FileReadError('FILE_NOT_REGULAR', `${path} is ${describeNonRegular(stats)}, not ${kindOfFile(options)}: give the file itself.`, path);
  }
  if (stats.size > options.maxBytes) throw tooLarge(path, stats.size, options, false);
}

function tooLarge(path: string, size: number, options: ReadRegularFileOptions, grew: boolean): FileReadError {
  const what = options.what ? `${options.what} files are` : 'files here are';
  return new FileReadError(
    'FILE_TOO_LARGE',
    `${path} is ${grew ? 'more than ' : ''}${size} bytes; ${what} at most ${formatBytes(options.maxBytes)}, so check that it is the right file.`,
    path,
  );
}

function openError(path: string, error: unknown, options: ReadRegularFileOptions): FileReadError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new FileReadError('FILE_NOT_FOUND', `${path} does not exist.`, path);
    case 'ELOOP':
      return new FileReadError('FILE_SYMLINK_LOOP', `${path} is a symbolic link that leads back to itself (a loop): point it at the real ${options.what ?? 'file'}.`, path);
    case 'EISDIR':
      return new FileReadError('FILE_NOT_REGULAR', `${path} is a folder, not ${kindOfFile(options)}: give the file itself.`, path);
    case 'EACCES':
    case 'EPERM':
      return new FileReadError('FILE_UNREADABLE', `This user may not read ${path}: check its permissions.`, path);
    case 'ENXIO':
      // Opening a socket file, or a FIFO for writing, on some systems.
      return new FileReadError('FILE_NOT_REGULAR', `${path} is not a regular file: give the file itself.`, path);
    default:
      return new FileReadError('FILE_UNREADABLE', `Cannot read ${path}: ${error instanceof Error ? error.message : String(error)}.`, path);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
