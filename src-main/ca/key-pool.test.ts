import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RsaKeyPool } from './key-pool.js';

const fingerprint = (key: { privateKey: import('node:crypto').KeyObject }) => createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' }).toString('base64');

describe('the RSA key pool', () => {
  it('fills itself in the background, hands out every key once, and makes one on demand when empty', async () => {
    const pool = new RsaKeyPool({ size: 2, modulusLength: 1024 });
    const deadline = Date.now() + 20_000;
    while (pool.available < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.available).toBe(2);
    const keys = await Promise.all([pool.take(), pool.take(), pool.take(), pool.take()]);
    expect(new Set(keys.map(fingerprint)).size).toBe(4);
    expect(keys[0]!.privateKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    pool.close();
    expect(pool.available).toBe(0);
  });

  it('makes RSA-2048 keys by default', async () => {
    const pool = new RsaKeyPool({ size: 0 });
    const key = await pool.take();
    expect(key.privateKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    pool.close();
  });

  it('says when it is full, so a station can make its keys before the first boards arrive', async () => {
    const pool = new RsaKeyPool({ size: 2, modulusLength: 1024 });
    await pool.filled();
    expect(pool.available).toBe(2);
    pool.close();
    await pool.filled();
  });
});
