import { IMPORT_LIMITS, type FileToSave } from '../../src-main/api/contract';
import type { LocalFiles } from '../api/import-files';

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * What a drop holds, captured while the drop event lasts (a DataTransfer empties after it):
 * the top-level items (whose paths the desktop app uses) and, on demand, every file inside
 * dropped folders (browser mode reads them itself).
 */
export function captureDrop(transfer: DataTransfer): LocalFiles {
  const topLevel = Array.from(transfer.files);
  const entries = Array.from(transfer.items)
    .map((item) => (typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null))
    .filter((entry): entry is FileSystemEntry => entry !== null);
  return {
    topLevel,
    async expand() {
      // Plain files come straight from the transfer; entries are only needed to walk folders.
      if (!entries.some((entry) => entry.isDirectory)) return topLevel;
      const files: File[] = [];
      for (const entry of entries) files.push(...(await filesFromEntry(entry, 0)));
      return files;
    },
  };
}

/** Files picked in a file dialog. */
export function pickedFiles(files: FileList): LocalFiles {
  const list = Array.from(files);
  return { topLevel: list, expand: async () => list };
}

async function filesFromEntry(entry: FileSystemEntry, depth: number): Promise<File[]> {
  if (entry.isFile) {
    return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
  }
  if (!entry.isDirectory || depth >= IMPORT_LIMITS.maxFolderDepth) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const files: File[] = [];
  for (const child of children) if (!child.name.startsWith('.')) files.push(...(await filesFromEntry(child, depth + 1)));
  return files;
}

/** Offers a file to the user as a download (works in Electron and in browser mode). */
export function saveFile(file: FileToSave): void {
  const blob = new Blob([base64ToBytes(file.data) as BlobPart], { type: file.mimeType });
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = file.fileName;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
