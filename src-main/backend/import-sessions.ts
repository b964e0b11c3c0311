/**
 * Chunked imports: the renderer announces the files (names and sizes), sends their bytes
 * in chunks of at most IMPORT_LIMITS.chunkBytes, and finishes; main checks every count and
 * total, so no single message is large (browser mode caps a message at 4 MiB) and a
 * 100 MB folder arrives piece by piece. Nothing reaches the workspace before `finish`.
 */
import { randomUUID } from 'node:crypto';
import { IMPORT_LIMITS, type ImportFileInfo, type ImportSessionView } from '../api/contract.js';
import { ApiError } from '../api/validate.js';
import { formatBytes } from '../files/regular-file.js';

/** An import nobody touched for this long is dropped (its tab was closed, its call failed). */
const IDLE_MS = 60_000;
const MAX_OPEN_IMPORTS = 2;

interface PendingFile {
  name: string;
  size: number;
  received: number;
  bytes: Uint8Array | undefined;
}

interface Session {
  files: PendingFile[];
  lastActivity: number;
}

export class ImportSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: () => number = Date.now) {}

  begin(files: readonly ImportFileInfo[]): ImportSessionView {
    this.dropIdle();
    if (files.length === 0) throw new ApiError('IMPORT_EMPTY', 'An import needs at least one file.');
    if (files.length > IMPORT_LIMITS.maxFiles) {
      throw new ApiError('IMPORT_TOO_MANY_FILES', `${files.length} files at once is more than the ${IMPORT_LIMITS.maxFiles} one import takes: add them in parts.`);
    }
    const oversized = files.find((file) => file.size > IMPORT_LIMITS.maxFileBytes);
    if (oversized) {
      throw new ApiError('IMPORT_FILE_TOO_LARGE', `${oversized.name} is ${oversized.size} bytes; a certificate or key file is at most ${formatBytes(IMPORT_LIMITS.maxFileBytes)}.`);
    }
    const total = files.reduce((sum, file) => sum + file.size, 0);
    if (total > IMPORT_LIMITS.maxTotalBytes) {
      throw new ApiError('IMPORT_TOO_LARGE', `The files add up to ${total} bytes; one import takes at most ${formatBytes(IMPORT_LIMITS.maxTotalBytes)}: add them in parts.`);
    }
    if (this.sessions.size >= MAX_OPEN_IMPORTS) throw new ApiError('IMPORT_BUSY', 'Another import is still running: wait for it to finish, then try again.');
    const importId = randomUUID();
    this.sessions.set(importId, { files: files.map((file) => ({ name: file.name, size: file.size, received: 0, bytes: undefined })), lastActivity: this.clock() });
    return { importId, chunkBytes: IMPORT_LIMITS.chunkBytes };
  }

  /** Appends one chunk; chunks of a file arrive in order (offset = bytes received so far). */
  chunk(importId: string, fileIndex: number, offset: number, data: Uint8Array): void {
    const session = this.session(importId);
    const file = session.files[fileIndex];
    if (!file) throw new ApiError('IMPORT_CHUNK_INVALID', `This import has no file number ${fileIndex}.`);
    if (data.length > IMPORT_LIMITS.chunkBytes) throw new ApiError('IMPORT_CHUNK_INVALID', `A chunk is at most ${formatBytes(IMPORT_LIMITS.chunkBytes)}; this one is ${data.length} bytes.`);
    if (offset !== file.received) throw new ApiError('IMPORT_CHUNK_INVALID', `${file.name}: expected the chunk at byte ${file.received}, got one at ${offset}.`);
    if (offset + data.length > file.size) throw new ApiError('IMPORT_CHUNK_INVALID', `${file.name} was announced as ${file.size} bytes; this chunk goes past its end.`);
    file.bytes ??= new Uint8Array(file.size);
    file.bytes.set(data, offset);
    file.received += data.length;
    session.lastActivity = this.clock();
  }

  /** The files, complete; the import is closed either way. */
  finish(importId: string): { name: string; bytes: Uint8Array }[] {
    const session = this.session(importId);
    this.sessions.delete(importId);
    const incomplete = session.files.find((file) => file.received !== file.size);
    if (incomplete) throw new ApiError('IMPORT_INCOMPLETE', `${incomplete.name} arrived incomplete (${incomplete.received} of ${incomplete.size} bytes): add it again.`);
    return session.files.map((file) => ({ name: file.name, bytes: file.bytes ?? new Uint8Array(0) }));
  }

  cancel(importId: string): void {
    this.sessions.delete(importId);
  }

  openCount(): number {
    return this.sessions.size;
  }

  private session(importId: string): Session {
    this.dropIdle();
    const session = this.sessions.get(importId);
    if (!session) throw new ApiError('IMPORT_UNKNOWN', 'This import is not open (it finished, was cancelled or waited too long): add the files again.');
    return session;
  }

  private dropIdle(): void {
    const now = this.clock();
    for (const [id, session] of this.sessions) if (now - session.lastActivity > IDLE_MS) this.sessions.delete(id);
  }
}
