import type { OperationOptions, WriteSectionOptions, WriteSectionResult } from './board-link.js';
import { BoardError, isBoardError, type SectionBackup } from './errors.js';
import type { SectionGeometry } from './sections.js';

/** The flash primitives a protocol provides; the write procedure is the same for all of them. */
export interface FlashPrimitives {
  read(address: number, length: number, options: OperationOptions & { phase: 'backup' | 'verify' | 'read' }): Promise<Uint8Array>;
  erase(geometry: SectionGeometry, options: OperationOptions): Promise<void>;
  write(address: number, data: Uint8Array, options: OperationOptions): Promise<void>;
}

/** Pads a section image with 0xFF (erased flash) to the section size; refuses oversized images. */
export function sectionImage(geometry: SectionGeometry, data: Uint8Array): Uint8Array {
  if (data.length > geometry.size) {
    throw new BoardError('BAD_PAYLOAD', `The ${geometry.section} section image is ${data.length} bytes; the section holds ${geometry.size}.`, { phase: 'write' });
  }
  const image = new Uint8Array(geometry.size).fill(0xff);
  image.set(data);
  return image;
}

/** Backup (handed to the sink before anything is erased) → erase → write → verify by read-back. */
export async function writeSectionWith(
  flash: FlashPrimitives,
  geometry: SectionGeometry,
  data: Uint8Array,
  options: WriteSectionOptions = {},
): Promise<WriteSectionResult> {
  const image = sectionImage(geometry, data);
  const before = await flash.read(geometry.offset, geometry.size, { ...options, phase: 'backup' });
  const backup: SectionBackup = { section: geometry.section, offset: geometry.offset, data: before, takenAt: new Date().toISOString() };
  if (options.backupSink) {
    try {
      await options.backupSink(backup);
    } catch (cause) {
      throw new BoardError('INTERNAL', `Could not store the backup of the ${geometry.section} section, so nothing was erased: ${(cause as Error).message}`, {
        phase: 'backup',
        cause,
        backup,
      });
    }
  }
  const attachBackup = (error: unknown): never => {
    if (isBoardError(error)) {
      error.backup ??= backup;
      throw error;
    }
    throw new BoardError('INTERNAL', String(error), { phase: 'write', cause: error, backup });
  };
  try {
    await flash.erase(geometry, options);
    // Erased flash already reads 0xFF: trailing all-0xFF bytes need no programming.
    let end = image.length;
    while (end > 0 && image[end - 1] === 0xff) end--;
    if (end > 0) await flash.write(geometry.offset, image.subarray(0, end), options);
    const after = await flash.read(geometry.offset, geometry.size, { ...options, phase: 'verify' });
    const mismatch = after.findIndex((b, i) => b !== image[i]);
    if (mismatch >= 0) {
      throw new BoardError(
        'VERIFY_FAILED',
        `Read-back of the ${geometry.section} section differs at 0x${(geometry.offset + mismatch).toString(16)} (wrote 0x${(image[mismatch] ?? 0).toString(16)}, read 0x${(after[mismatch] ?? 0).toString(16)}). Restore the backup.`,
        { phase: 'verify', backup },
      );
    }
    return { backup, bytesWritten: end, verified: true };
  } catch (error) {
    return attachBackup(error);
  }
}
