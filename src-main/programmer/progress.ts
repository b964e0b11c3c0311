export type FlashPhase = 'touch' | 'find' | 'identify' | 'erase' | 'write' | 'verify' | 'reset' | 'read';

export interface ProgressEvent {
  phase: FlashPhase;
  state: 'start' | 'progress' | 'done' | 'skipped';
  /** Bytes (write/verify/read) done so far, when the phase has a size. */
  done?: number;
  total?: number;
  message?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Sleeps, ending early with CANCELLED when the signal aborts. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined, onCancel: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(onCancel());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = (): void => {
      clearTimeout(timer);
      reject(onCancel());
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
