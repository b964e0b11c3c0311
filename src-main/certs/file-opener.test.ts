import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtectedFileOpener } from './file-opener.js';
import { TestPki, withInteger } from './test-pki.js';

let pki: TestPki;
let p12: Uint8Array;
let slowP12: Uint8Array;
let endlessP12: Uint8Array;
const opener = new ProtectedFileOpener({ timeLimitMs: 20_000 });

beforeAll(() => {
  pki = new TestPki();
  const key = pki.key('opener', 'rsa2048');
  const leaf = pki.selfSigned('opener-leaf', key, { ca: false });
  p12 = pki.pkcs12('opener', key, [leaf], 'pw');
  // Under the cap, but slow: forge derives the MAC key in JavaScript (about a second here).
  slowP12 = withInteger(p12, [2, 2], 600_000);
  // Minutes of work on any machine: only the time limit ends it (the cap is lifted for this opener).
  endlessP12 = withInteger(p12, [2, 2], 50_000_000);
}, 60_000);

afterAll(async () => {
  await opener.close();
  pki?.cleanup();
});

describe('protected files open in a worker thread', () => {
  it('gives what the inline reader gives, and reads plain files inline', async () => {
    const opened = await opener.open({ name: 'm.p12', bytes: p12, password: 'pw' });
    expect(opened.extracted).toMatchObject({ ok: true });
    expect(opened.extracted!.ok && opened.extracted!.objects.map((object) => object.type)).toEqual(['certificate', 'private-key']);
    expect((await opener.open({ name: 'm.p12', bytes: p12 })).extracted).toMatchObject({ ok: false, code: 'P12_PASSWORD_REQUIRED' });
    const plain = await opener.open({ name: 'notes.txt', bytes: new TextEncoder().encode('hello') });
    expect(plain.extracted).toBeUndefined();
  });

  it('keeps the main thread free while a slow file is opened', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    const result = await opener.extract(slowP12, 'pw');
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // The MAC was changed, so the password no longer verifies it: the point is the work was done elsewhere.
    expect(result).toMatchObject({ ok: false, code: 'P12_BAD_PASSWORD' });
    expect(elapsed).toBeGreaterThan(100);
    // Inline, not one tick could run until the derivation ended; in the worker they keep coming.
    expect(ticks).toBeGreaterThan(Math.min(10, elapsed / 10 / 4));
  });

  it('stops a file that takes longer than the time limit, and the next file opens', async () => {
    const impatient = new ProtectedFileOpener({ timeLimitMs: 1000, limits: { maxIterations: 100_000_000 } });
    try {
      const started = performance.now();
      const result = await impatient.extract(endlessP12, 'pw');
      expect(result).toMatchObject({ ok: false, code: 'DECRYPT_TIMED_OUT', message: expect.stringMatching(/took longer than 1 s.*stopped/) });
      expect(performance.now() - started).toBeLessThan(10_000);
      // The terminated worker is replaced: a quick file opens within the same limit.
      const next = await impatient.extract(p12, 'pw');
      expect(next, JSON.stringify(next)).toMatchObject({ ok: true });
    } finally {
      await impatient.close();
    }
  });
});
