import { describe, expect, it } from 'vitest';
import { jobSummaryLine } from './job-summary.js';

describe('the one summary line of a Wi-Fi job', () => {
  const board = { filesDownloaded: 5, rootsWritten: 3, tlsFilesWritten: 2, rootStoreCount: 13, tlsHandshakes: 1 };

  it('gives files, bytes and handshakes from the server beside what the board reports', () => {
    expect(jobSummaryLine(board, { requests: 5, files: 5, bytes: 4321, connections: 1 })).toBe(
      'Job: the server sent 5 files (4321 bytes) in 5 requests over 1 TLS connection; the board reports 5 files downloaded over 1 TLS handshake; 3 roots and 2 TLS files written.',
    );
  });

  it('says when the server and the board disagree', () => {
    expect(jobSummaryLine(board, { requests: 6, files: 4, bytes: 100, connections: 2 })).toContain('(the counts differ: check the request log)');
  });

  it('keeps to the board report when the server cannot tell (an old board, no server counters)', () => {
    const { tlsHandshakes: _omitted, ...oldBoard } = board;
    expect(jobSummaryLine({ ...oldBoard, filesDownloaded: 1, rootsWritten: 1, tlsFilesWritten: 0 }, undefined)).toBe('Job: the board reports 1 file downloaded; 1 root and 0 TLS files written.');
  });
});
