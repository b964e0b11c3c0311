import { IMPORT_LIMITS, type WincBridge, type WorkspaceView } from '../../src-main/api/contract';

export interface SkippedFile {
  name: string;
  reason: string;
}

/** What a drop or a pick holds: the top-level items now, the files inside folders on demand. */
export interface LocalFiles {
  topLevel: File[];
  /** Every file, folders walked (browser mode reads them itself). */
  expand(): Promise<File[]>;
}

export interface ImportOutcome {
  workspace: WorkspaceView | null;
  skipped: SkippedFile[];
}

/**
 * Adds dropped or picked files. The desktop app hands main their paths (main reads regular
 * files only and walks folders itself); browser mode sends the contents: announced with
 * their sizes, in chunks of at most 1 MiB, so a whole folder never makes one large message.
 */
export async function importLocalFiles(bridge: WincBridge, source: LocalFiles): Promise<ImportOutcome> {
  const paths = source.topLevel.map((file) => bridge.pathForFile(file));
  if (paths.length > 0 && paths.every((filePath) => filePath !== '')) {
    const { workspace, skipped } = await bridge.importPaths(paths);
    return { workspace, skipped };
  }
  return uploadFiles(bridge, await source.expand());
}

export async function uploadFiles(bridge: WincBridge, files: File[]): Promise<ImportOutcome> {
  const skipped: SkippedFile[] = [];
  const accepted: File[] = [];
  let total = 0;
  for (const file of files) {
    if (file.size > IMPORT_LIMITS.maxFileBytes) {
      skipped.push({ name: file.name, reason: `larger than ${IMPORT_LIMITS.maxFileBytes / 1024 / 1024} MiB; certificates and keys are a few KiB` });
    } else if (accepted.length >= IMPORT_LIMITS.maxFiles || total + file.size > IMPORT_LIMITS.maxTotalBytes) {
      skipped.push({ name: file.name, reason: `one drop adds at most ${IMPORT_LIMITS.maxFiles} files and ${IMPORT_LIMITS.maxTotalBytes / 1024 / 1024} MiB; add the rest separately` });
    } else {
      accepted.push(file);
      total += file.size;
    }
  }
  if (accepted.length === 0) return { workspace: null, skipped };
  const { importId, chunkBytes } = await bridge.beginImport(accepted.map((file) => ({ name: file.name, size: file.size })));
  // A few chunks in flight at once: the connection keeps their order, main takes them in turn.
  const inFlight = new Set<Promise<void>>();
  try {
    for (const [index, file] of accepted.entries()) {
      for (let offset = 0; offset < file.size; offset += chunkBytes) {
        const data = await blobToBase64(file.slice(offset, Math.min(file.size, offset + chunkBytes)));
        const sent = bridge.importChunk(importId, index, offset, data);
        inFlight.add(sent);
        void sent.then(
          () => inFlight.delete(sent),
          () => undefined,
        );
        if (inFlight.size >= CHUNKS_IN_FLIGHT) await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
    return { workspace: await bridge.finishImport(importId), skipped };
  } catch (error) {
    await Promise.allSettled(inFlight);
    await bridge.cancelImport(importId).catch(() => undefined);
    throw error;
  }
}

const CHUNKS_IN_FLIGHT = 4;

/** base64 by the browser's own encoder (a data: URL), much faster than doing it in script. */
function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(blob);
  });
}

