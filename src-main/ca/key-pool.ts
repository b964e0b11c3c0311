/**
 * Fresh RSA-2048 board keys made ahead of time. Key generation costs a few hundred
 * milliseconds of CPU; a station spends most of each board's run waiting on the serial
 * link, so the pool makes the next keys then (off the event loop, one at a time) and a
 * board's identity costs only the signature on its critical path. Keys live only in
 * memory, are handed out once, and are dropped on close().
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface KeyPoolOptions {
  /** Keys kept ready (default 2; a gang of N boards starting together wants about N). */
  size?: number;
  /** Bits; 2048 unless a test has a reason. */
  modulusLength?: number;
}

export class RsaKeyPool {
  private readonly ready: KeyObject[] = [];
  private filling = false;
  private closed = false;
  private readonly size: number;
  private readonly modulusLength: number;

  constructor(options: KeyPoolOptions = {}) {
    this.size = options.size ?? 2;
    this.modulusLength = options.modulusLength ?? 2048;
    this.refill();
  }

  /** A key never handed out before: a ready one, or a fresh one when none is ready. */
  async take(): Promise<{ privateKey: KeyObject }> {
    const key = this.ready.shift();
    this.refill();
    if (key) return { privateKey: key };
    return { privateKey: await this.generate() };
  }

  /** Resolves once `size` keys are ready (or the pool was closed): a station fills it before the first boards arrive. */
  async filled(): Promise<void> {
    while (!this.closed && this.ready.length < this.size) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** How many keys are ready now (for views and tests). */
  get available(): number {
    return this.ready.length;
  }

  close(): void {
    this.closed = true;
    this.ready.length = 0;
  }

  private refill(): void {
    if (this.filling || this.closed || this.ready.length >= this.size) return;
    this.filling = true;
    void this.generate()
      .then((key) => {
        if (!this.closed) this.ready.push(key);
      })
      .catch(() => undefined)
      .finally(() => {
        this.filling = false;
        this.refill();
      });
  }

  private async generate(): Promise<KeyObject> {
    return (await generateKeyPairAsync('rsa', { modulusLength: this.modulusLength, publicExponent: 0x10001 })).privateKey;
  }
}
