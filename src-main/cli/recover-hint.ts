/** A path or word as a POSIX shell reads it back unchanged: bare when safe, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export interface RecoverTarget {
  port: string;
  /** The --data-dir the failing command was given: the journal and backups live there, so the hint must name it too. */
  dataDir?: string | undefined;
  protocol?: string | undefined;
  baudRate?: number | undefined;
}

/** The `winc-cert board recover` command that reaches the same board, journal and backups as the command that printed it. */
export function recoverCommandLine(target: RecoverTarget, restore: boolean): string {
  const words = ['winc-cert', 'board', 'recover', '--port', shellWord(target.port)];
  if (target.dataDir) words.push('--data-dir', shellWord(target.dataDir));
  if (target.protocol && target.protocol !== 'native') words.push('--protocol', shellWord(target.protocol));
  if (target.baudRate !== undefined) words.push('--baud', String(target.baudRate));
  if (restore) words.push('--restore');
  return words.join(' ');
}
