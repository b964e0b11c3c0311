/**
 * A file-system error Node raised with its errno code ("ENOENT: no such file or directory, open
 * '/x/y.csv'"), said the way a technician reads it, with what to do. Undefined for anything else.
 */
export function describeSystemError(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return undefined;
  const { code } = error;
  const file = 'path' in error && typeof error.path === 'string' ? error.path : undefined;
  const syscall = 'syscall' in error && typeof error.syscall === 'string' ? error.syscall : undefined;
  const creating = syscall === 'mkdir';
  switch (code) {
    case 'ENOENT':
      return file ? `${file} does not exist, or the folder it should go in does not: check the path.` : undefined;
    case 'EISDIR':
      return file ? `${file} is a folder: give a file name.` : 'A folder was given where a file is needed: give a file name.';
    case 'ENOTDIR':
      return file ? `Part of ${file} is a file where a folder is needed: check the path.` : undefined;
    case 'EEXIST':
      return file ? `${file} already exists${creating ? ' and is not a folder: give a folder name' : ''}.` : undefined;
    case 'EACCES':
    case 'EPERM':
      return file ? `This user may not ${creating ? 'create' : 'use'} ${file}: check its permissions or choose another place.` : undefined;
    case 'EROFS':
      return file ? `${file} is on a read-only disk: choose another place.` : undefined;
    case 'ENOSPC':
      return `The disk is full${file ? ` (writing ${file})` : ''}: free some space and run the command again.`;
    default:
      return undefined;
  }
}
