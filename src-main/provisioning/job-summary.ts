import type { JobResult } from '../board/protocol/messages.js';
import type { JobCounters } from '../https-server/file-server.js';

/** How the job's summary line starts, so a front end (the CLI) can pick it out of the log. */
export const JOB_SUMMARY_PREFIX = 'Job: ';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The one log line a Wi-Fi job gets: what the server sent for it (files, bytes, TLS connections —
 * each one a handshake) beside what the board reports having downloaded and written. Where the two
 * disagree on the file count, the line says so rather than picking one.
 */
export function jobSummaryLine(board: JobResult, served: JobCounters | undefined): string {
  const written = `${plural(board.rootsWritten, 'root')} and ${plural(board.tlsFilesWritten, 'TLS file')} written`;
  const boardSide = `the board reports ${plural(board.filesDownloaded, 'file')} downloaded${board.tlsHandshakes !== undefined ? ` over ${plural(board.tlsHandshakes, 'TLS handshake')}` : ''}`;
  if (!served) return `${JOB_SUMMARY_PREFIX}${boardSide}; ${written}.`;
  const serverSide = `the server sent ${plural(served.files, 'file')} (${served.bytes} bytes) in ${plural(served.requests, 'request')} over ${plural(served.connections, 'TLS connection')}`;
  const disagreement = served.files !== board.filesDownloaded ? ' (the counts differ: check the request log)' : '';
  return `${JOB_SUMMARY_PREFIX}${serverSide}; ${boardSide}${disagreement}; ${written}.`;
}
