import type { FileToSave, ImportedFile } from '../../src-main/api/contract';

const MAX_FILE_BYTES = 4 * 1024 * 1024;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export interface SkippedFile {
  name: string;
  reason: string;
}

/** Reads browser File objects into the API's import shape; oversized files are skipped with a reason. */
export async function readFiles(files: File[]): Promise<{ imported: ImportedFile[]; skipped: SkippedFile[] }> {
  const imported: ImportedFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    if (file.size > MAX_FILE_BYTES) {
      skipped.push({ name: file.name, reason: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; certificates and keys are a few KiB` });
      continue;
    }
    imported.push({ name: file.name, data: bytesToBase64(new Uint8Array(await file.arrayBuffer())) });
  }
  return { imported, skipped };
}

/** Files from a drop, descending into dropped folders. */
export async function filesFromDataTransfer(transfer: DataTransfer): Promise<File[]> {
  const entries = Array.from(transfer.items)
    .map((item) => (typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null))
    .filter((entry): entry is FileSystemEntry => entry !== null);
  // Plain files come straight from the transfer; entries are only needed to walk folders.
  if (!entries.some((entry) => entry.isDirectory)) return Array.from(transfer.files);
  const files: File[] = [];
  for (const entry of entries) files.push(...(await filesFromEntry(entry, 0)));
  return files;
}

async function filesFromEntry(entry: FileSystemEntry, depth: number): Promise<File[]> {
  if (entry.isFile) {
    return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
  }
  if (!entry.isDirectory || depth > 4) return [];
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
