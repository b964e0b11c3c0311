/**
 * Opens password-protected files (PKCS#12, encrypted keys) in a worker thread with a time
 * limit, so a slow or hostile file neither freezes the app nor keeps it busy forever: past
 * the limit the worker is terminated and the file gets DECRYPT_TIMED_OUT. Everything else is
 * read inline; it costs nothing worth a thread. One file at a time, in order.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_KDF_LIMITS, type KdfLimits } from '../keys/index.js';
import type { ExtractRequest } from './extract-worker.js';
import { extractFileObjects, needsKeyDerivation, type ExtractResult, type IntakeInput } from './read-inputs.js';

/** A file at the iteration cap opens in about 10 s with the pure-JavaScript PKCS#12 reader on a slow machine. */
export const DECRYPT_TIME_LIMIT_MS = 30_000;
const WORKER_HEAP_MB = 256;

export interface FileOpenerOptions {
  timeLimitMs?: number;
  limits?: KdfLimits;
}

export class ProtectedFileOpener {
  private worker: Worker | undefined;
  private readonly ready = new WeakSet<Worker>();
  private readonly readyWaiters = new WeakMap<Worker, Set<() => void>>();
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private readonly timeLimitMs: number;
  private readonly limits: KdfLimits;

  constructor(options: FileOpenerOptions = {}) {
    this.timeLimitMs = options.timeLimitMs ?? DECRYPT_TIME_LIMIT_MS;
    this.limits = options.limits ?? DEFAULT_KDF_LIMITS;
  }

  /** The input with its content extracted: in the worker when it needs a key derivation. */
  async open(input: IntakeInput): Promise<IntakeInput> {
    const { extracted: _stale, ...plain } = input;
    if (!needsKeyDerivation(input.bytes)) return plain;
    return { ...plain, extracted: await this.extract(input.bytes, input.password) };
  }

  extract(bytes: Uint8Array, password: string | undefined): Promise<ExtractResult> {
    const job = this.queue.then(() => this.run(bytes, password));
    this.queue = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private run(bytes: Uint8Array, password: string | undefined): Promise<ExtractResult> {
    return new Promise((resolve) => {
      let worker: Worker;
      try {
        worker = this.ensureWorker();
      } catch (error) {
        resolve(workerFailed(error));
        return;
      }
      const id = this.nextId++;
      const finish = (result: ExtractResult) => {
        clearTimeout(timer);
        this.readyWaiters.get(worker)?.delete(startClock);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        worker.unref();
        resolve(result);
      };
      const onMessage = (message: { id?: number; result?: ExtractResult }) => {
        if (message.id === id && message.result) finish(message.result);
      };
      const onError = (error: Error) => {
        this.forget(worker);
        finish(workerFailed(error));
      };
      const onExit = (code: number) => {
        this.forget(worker);
        finish(workerFailed(new Error(`it stopped with exit code ${code}`)));
      };
      let timer: NodeJS.Timeout | undefined;
      // The limit is for opening the file; a worker's first start (loading its code) is not counted.
      const startClock = () => {
        timer = setTimeout(() => {
          this.forget(worker);
          void worker.terminate();
          finish({
            ok: false,
            code: 'DECRYPT_TIMED_OUT',
            message: `Opening this file took longer than ${formatSeconds(this.timeLimitMs)} (its key derivation is very slow) and was stopped: export it again with your tool's default settings.`,
          });
        }, this.timeLimitMs);
        timer.unref();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.ref();
      if (this.ready.has(worker)) startClock();
      else this.whenReady(worker, startClock);
      const request: ExtractRequest = { id, bytes, password, limits: this.limits };
      worker.postMessage(request);
    });
  }

  private whenReady(worker: Worker, callback: () => void): void {
    const waiters = this.readyWaiters.get(worker) ?? new Set();
    waiters.add(callback);
    this.readyWaiters.set(worker, waiters);
  }

  private forget(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startExtractWorker();
    worker.unref();
    worker.on('message', (message: { ready?: boolean }) => {
      if (!message.ready) return;
      this.ready.add(worker);
      for (const waiter of this.readyWaiters.get(worker) ?? []) waiter();
      this.readyWaiters.delete(worker);
    });
    // A worker that dies between jobs is simply started again for the next one.
    worker.on('error', () => this.forget(worker));
    worker.on('exit', () => this.forget(worker));
    this.worker = worker;
    return worker;
  }
}

/** Inline extraction with the same result shape (for callers without a worker, e.g. pure tests). */
export function openInline(input: IntakeInput, limits: KdfLimits = DEFAULT_KDF_LIMITS): IntakeInput {
  const { extracted: _stale, ...plain } = input;
  return needsKeyDerivation(input.bytes) ? { ...plain, extracted: extractFileObjects(input, limits) } : plain;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function workerFailed(error: unknown): ExtractResult {
  return {
    ok: false,
    code: 'DECRYPT_FAILED',
    message: `This protected file could not be opened: the decryption worker failed (${error instanceof Error ? error.message : String(error)}). Try again; if it persists, report it.`,
  };
}

/**
 * The worker script for every way the code runs: from source (vitest, tsx) the TypeScript
 * file through tsx's loader; from the esbuild bundles in build/ the bundled
 * extract-worker.cjs beside them (unpacked from app.asar when packaged).
 */
function startExtractWorker(): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } };
  const here = moduleUrl();
  if (here.endsWith('.ts')) {
    const source = new URL('./extract-worker.ts', here).href;
    const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`;
    return new Worker(code, { ...options, eval: true });
  }
  const bundled = new URL('./extract-worker.cjs', here);
  return new Worker(bundled.pathname.includes('/app.asar/') ? new URL(bundled.href.replace('/app.asar/', '/app.asar.unpacked/')) : bundled, options);
}

function moduleUrl(): string {
  // ESM (source and bundles) has import.meta.url; the CommonJS bundle for Electron has __filename.
  const url = (import.meta as { url?: string }).url;
  if (url) return url;
  return pathToFileURL(__filename).href;
}
