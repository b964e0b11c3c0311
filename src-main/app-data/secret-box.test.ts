import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';
import { SettingsStore } from './settings-store.js';

describe('SecretBox', () => {
  it('round-trips a secret and keeps its key owner-only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'secret-'));
    const box = await SecretBox.open(dir);
    const sealed = box.seal('correct horse battery staple');
    expect(sealed).not.toContain('horse');
    expect((await SecretBox.open(dir)).open(sealed)).toBe('correct horse battery staple');
    if (process.platform !== 'win32') expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('cannot open a value sealed with another key or tampered with', async () => {
    const a = await SecretBox.open(mkdtempSync(path.join(tmpdir(), 'secret-')));
    const b = await SecretBox.open(mkdtempSync(path.join(tmpdir(), 'secret-')));
    const sealed = a.seal('pass');
    expect(b.open(sealed)).toBeUndefined();
    const tampered = Buffer.from(sealed, 'base64');
    const last = tampered.length - 1;
    tampered.writeUInt8(tampered.readUInt8(last) ^ 1, last);
    expect(a.open(tampered.toString('base64'))).toBeUndefined();
  });
});

describe('SettingsStore', () => {
  it('persists settings and never writes a plain passphrase', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
    const box = await SecretBox.open(dir);
    const store = await SettingsStore.open(dir);
    await store.update({ wifi: { ssid: 'factory', security: 'wpa2', sealedPassphrase: box.seal('s3cret-pass') } });
    expect(readFileSync(path.join(dir, 'settings.json'), 'utf8')).not.toContain('s3cret-pass');
    const reopened = await SettingsStore.open(dir);
    expect(box.open(reopened.get().wifi!.sealedPassphrase!)).toBe('s3cret-pass');
  });
});
