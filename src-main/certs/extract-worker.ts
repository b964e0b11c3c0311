/**
 * Worker entry: opens one protected file (PKCS#12, encrypted key) at a time, off the main
 * thread. The parent enforces the time limit by terminating this worker.
 */
import { parentPort } from 'node:worker_threads';
import type { KdfLimits } from '../keys/index.js';
import { extractFileObjects } from './read-inputs.js';

export interface ExtractRequest {
  id: number;
  bytes: Uint8Array;
  password: string | undefined;
  limits: KdfLimits;
}

parentPort?.on('message', (request: ExtractRequest) => {
  const result = extractFileObjects({ bytes: request.bytes, ...(request.password !== undefined ? { password: request.password } : {}) }, request.limits);
  parentPort!.postMessage({ id: request.id, result });
});
// Loaded and listening: the parent starts a job's clock from here, not from the thread's start.
parentPort?.postMessage({ ready: true });
