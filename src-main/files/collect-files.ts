/**
 * Files and folders a person dropped or picked, by path (the desktop app gets real paths
 * from the drop): folders are walked, every file is read as a regular file with its size
 * checked first, and whatever cannot be read is listed with the reason instead of stopping
 * the rest. Symlinked folders are followed once: a loop is noticed and left out.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeNonRegular, FileReadError, formatBytes, readRegularFile } from './regular-file.js';

export interface CollectLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** Folder levels below a dropped folder. */
  maxDepth: number;
}

export interface CollectedFile {
  name: string;
  path: string;
  bytes: Uint8Array;
}

export interface SkippedPath {
  name: string;
  reason: string;
}

export async function collectFiles(paths: readonly string[], limits: CollectLimits): Promise<{ files: CollectedFile[]; skipped: SkippedPath[] }> {
  const files: CollectedFile[] = [];
  const skipped: SkippedPath[] = [];
  const visitedFolders = new Set<string>();
  let total = 0;
  let stopped = false;

  const visit = async (target: string, depth: number): Promise<void> => {
    const name = path.basename(target);
    if (stopped) return;
    let info;
    try {
      info = await stat(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      skipped.push({ name, reason: code === 'ELOOP' ? 'it is a symbolic link that leads back to itself (a loop)' : code === 'ENOENT' ? 'it no longer exists' : 'it cannot be read' });
      return;
    }
    if (info.isDirectory()) {
      const identity = `${info.dev}:${info.ino}`;
      if (visitedFolders.has(identity)) {
        skipped.push({ name, reason: 'this folder was already read (a symbolic link loops back to it)' });
        return;
      }
      visitedFolders.add(identity);
      if (depth >= limits.maxDepth) {
        skipped.push({ name, reason: `folders are read ${limits.maxDepth} levels deep; this one is deeper` });
        return;
      }
      let entries: string[];
      try {
        entries = (await readdir(target)).filter((entry) => !entry.startsWith('.')).sort();
      } catch {
        skipped.push({ name, reason: 'the folder cannot be listed (permissions?)' });
        return;
      }
      for (const entry of entries) await visit(path.join(target, entry), depth + 1);
      return;
    }
    if (!info.isFile()) {
      skipped.push({ name, reason: `it is ${describeNonRegular(info)}` });
      return;
    }
    if (info.size > limits.maxFileBytes) {
      skipped.push({ name, reason: `larger than ${formatBytes(limits.maxFileBytes)}; certificates and keys are a few KiB` });
      return;
    }
    if (files.length >= limits.maxFiles || total + info.size > limits.maxTotalBytes) {
      stopped = true;
      skipped.push({ name, reason: `one drop adds at most ${limits.maxFiles} files and ${formatBytes(limits.maxTotalBytes)}; this and the rest were left out` });
      return;
    }
    try {
      const bytes = await readRegularFile(target, { maxBytes: limits.maxFileBytes, what: 'certificate or key' });
      total += bytes.length;
      files.push({ name, path: target, bytes });
    } catch (error) {
      skipped.push({ name, reason: error instanceof FileReadError ? error.message.replace(`${target} is `, 'it is ').replace(/: give the file itself\.$/, '') : 'it cannot be read' });
    }
  };

  for (const target of paths) await visit(path.resolve(target), 0);
  return { files, skipped };
}
