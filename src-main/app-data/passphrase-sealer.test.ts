import { describe, expect, it } from 'vitest';
import { SealError } from './key-sealer.js';
import { DEFAULT_SCRYPT, MIN_SCRYPT, PassphraseSealer } from './passphrase-sealer.js';

const FAST = { parameters: MIN_SCRYPT };
const secret = new TextEncoder().encode('-----BEGIN PRIVATE KEY-----\nnot really\n-----END PRIVATE KEY-----\n');

async function openError(sealer: PassphraseSealer, sealed: Uint8Array): Promise<string> {
  try {
    await sealer.open(sealed);
    return 'opened';
  } catch (error) {
    return `${(error as SealError).code}: ${(error as Error).message}`;
  }
}

describe('the passphrase sealer', () => {
  it('round-trips, with the versioned header and its scrypt parameters in front and no plain text inside', async () => {
    const sealer = new PassphraseSealer('correct horse battery', FAST);
    const sealed = await sealer.seal(secret);
    expect(Buffer.from(sealed.subarray(0, 10))).toEqual(Buffer.from([0x57, 0x43, 0x53, 0x50, 1, 1, 14, 8, 1, 16]));
    expect(Buffer.from(sealed).includes(Buffer.from('PRIVATE'))).toBe(false);
    expect(await new PassphraseSealer('correct horse battery', FAST).open(sealed)).toEqual(secret);
    // Same sealer, two seals: different IVs, so different bytes.
    expect(Buffer.from(await sealer.seal(secret)).equals(Buffer.from(sealed))).toBe(false);
  });

  it('opens with the parameters its header names, whatever the opener would seal with', async () => {
    const sealed = await new PassphraseSealer('correct horse battery', { parameters: { log2N: 15, r: 8, p: 1 } }).seal(secret);
    expect(sealed[6]).toBe(15);
    expect(await new PassphraseSealer('correct horse battery', FAST).open(sealed)).toEqual(secret);
  });

  it('refuses a wrong passphrase, any changed byte, foreign data and crafted parameters, with SEAL_OPEN_FAILED', async () => {
    const sealer = new PassphraseSealer('correct horse battery', FAST);
    const sealed = await sealer.seal(secret);
    expect(await openError(new PassphraseSealer('Correct horse battery', FAST), sealed)).toMatch(/^SEAL_OPEN_FAILED: The passphrase does not open this data/u);
    for (const offset of [12, 26, 30, 40, sealed.length - 1]) {
      const altered = sealed.slice();
      altered[offset]! ^= 0x01;
      expect(await openError(sealer, altered)).toMatch(/^SEAL_OPEN_FAILED/u);
    }
    const cheaper = sealed.slice();
    cheaper[6] = 15;
    expect(await openError(sealer, cheaper)).toMatch(/^SEAL_OPEN_FAILED/u);
    const greedy = sealed.slice();
    greedy[6] = 22;
    greedy[7] = 32;
    expect(await openError(sealer, greedy)).toMatch(/^SEAL_OPEN_FAILED: Unsupported scrypt parameters/u);
    const newer = sealed.slice();
    newer[4] = 2;
    expect(await openError(sealer, newer)).toMatch(/newer version/u);
    expect(await openError(sealer, new TextEncoder().encode('-----BEGIN RSA PRIVATE KEY-----'))).toMatch(/not sealed with a passphrase/u);
  });

  it('refuses a passphrase shorter than 8 characters, and cannot be used after dispose()', async () => {
    expect(() => new PassphraseSealer('short')).toThrow(/at least 8 characters/u);
    const sealer = new PassphraseSealer('correct horse battery', FAST);
    const sealed = await sealer.seal(secret);
    await sealer.dispose();
    expect(await openError(sealer, sealed)).toMatch(/^SEAL_UNAVAILABLE: .*closed/u);
  });

  it('uses N = 2^17, r = 8, p = 1 by default', async () => {
    expect(DEFAULT_SCRYPT).toEqual({ log2N: 17, r: 8, p: 1 });
    const sealed = await new PassphraseSealer('correct horse battery').seal(secret);
    expect([...sealed.subarray(6, 9)]).toEqual([17, 8, 1]);
  });
});
