/**
 * The audit trail on disk: append-only, one fsync per record before append() returns
 * (and of the folder when the file is created), so a caller can make each record
 * durable before its next step. The pure format is in src-main/audit/.
 */
import { constants } from 'node:fs';
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatRecord, parseAudit, sha256Hex, type AuditFields, type AuditRecord } from '../audit/index.js';
import { ensurePrivateFolder, SerialQueue, syncFolder } from './durable.js';

export type AuditFileErrorCode = 'AUDIT_DAMAGED' | 'AUDIT_UNWRITABLE' | 'AUDIT_CLOSED';

export class AuditFileError extends Error {
  constructor(
    readonly code: AuditFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditFileError';
  }
}

export interface AuditLogOptions {
  /** Filled in on every record that does not name its own. */
  station?: string;
  operator?: string;
  now?: () => Date;
}

export class AuditLog {
  private readonly queue = new SerialQueue();
  private closed = false;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    private lastLine: string | undefined,
    private seq: number,
    private readonly eventIds: Set<string>,
    private readonly options: AuditLogOptions,
    /** Set when open() cut a torn last line (see the `repaired` record). */
    readonly repairedTail: { bytes: number; savedAs: string } | undefined,
  ) {}

  /**
   * Opens (or creates) an audit file for appending. An intact file is continued; a torn
   * last line (the station stopped mid-write) is cut, saved beside the file and noted in
   * a `repaired` record; any other damage refuses with the line, so nobody appends to a
   * trail that no longer verifies.
   */
  static async open(path: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    let text = '';
    let created = false;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new AuditFileError('AUDIT_UNWRITABLE', `Cannot read the audit file ${path}: ${(error as Error).message}.`, { cause: error });
      created = true;
    }
    let parsed = parseAudit(text);
    let repaired: { bytes: number; sha256: string; savedAs: string } | undefined;
    if (!parsed.verdict.intact && parsed.verdict.problem === 'truncated') {
      const keep = text.slice(0, text.lastIndexOf('\n') + 1);
      const torn = text.slice(keep.length);
      const savedAs = `${path}.torn-${parsed.records.length + 1}`;
      await writeFile(savedAs, torn, { mode: 0o600 });
      repaired = { bytes: Buffer.byteLength(torn), sha256: sha256Hex(torn), savedAs };
      text = keep;
      parsed = parseAudit(text);
    }
    if (!parsed.verdict.intact) {
      throw new AuditFileError('AUDIT_DAMAGED', `The audit file ${path} does not verify: ${parsed.verdict.message} Keep it as evidence and give a new audit file.`);
    }
    let handle: FileHandle;
    try {
      if (created) await ensurePrivateFolder(dirname(path));
      handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o600);
      if (repaired) {
        await handle.truncate(Buffer.byteLength(text));
        await handle.sync();
      }
      if (created) {
        await handle.sync();
        await syncFolder(dirname(path));
      }
    } catch (error) {
      throw new AuditFileError('AUDIT_UNWRITABLE', `Cannot open the audit file ${path} for writing: ${(error as Error).message}.`, { cause: error });
    }
    const eventIds = new Set(parsed.records.flatMap((record) => (record.eventId ? [record.eventId] : [])));
    const log = new AuditLog(path, handle, parsed.lines.at(-1), parsed.records.length, eventIds, options, repaired && { bytes: repaired.bytes, savedAs: repaired.savedAs });
    if (repaired) await log.append({ event: 'repaired', result: 'ok', reason: `a torn last line was cut and saved as ${repaired.savedAs}`, droppedBytes: repaired.bytes, droppedSha256: repaired.sha256 });
    return log;
  }

  /** Appends one record and fsyncs it before resolving. Records with an eventId already in the file are not written again. */
  append(fields: AuditFields): Promise<AuditRecord | undefined> {
    return this.queue.run(async () => {
      if (this.closed) throw new AuditFileError('AUDIT_CLOSED', 'The audit file was closed.');
      if (fields.eventId && this.eventIds.has(fields.eventId)) return undefined;
      const withContext: AuditFields = {
        ...(this.options.station !== undefined ? { station: this.options.station } : {}),
        ...(this.options.operator !== undefined ? { operator: this.options.operator } : {}),
        ...fields,
      };
      const { line, record } = formatRecord(withContext, this.seq + 1, this.lastLine, (this.options.now ?? (() => new Date()))());
      try {
        await this.handle.write(`${line}\n`);
        await this.handle.sync();
      } catch (error) {
        throw new AuditFileError('AUDIT_UNWRITABLE', `Could not write to the audit file ${this.path}: ${(error as Error).message}. Nothing further is recorded until it is writable.`, { cause: error });
      }
      this.seq++;
      this.lastLine = line;
      if (fields.eventId) this.eventIds.add(fields.eventId);
      return record;
    });
  }

  has(eventId: string): boolean {
    return this.eventIds.has(eventId);
  }

  /** The last record's number and line hash (keep it elsewhere to detect a removed last line). */
  head(): { seq: number; lineSha256: string | undefined } {
    return { seq: this.seq, lineSha256: this.lastLine === undefined ? undefined : sha256Hex(this.lastLine) };
  }

  close(): Promise<void> {
    return this.queue.run(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.handle.close();
    });
  }
}
