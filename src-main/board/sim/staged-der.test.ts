// The same cases as firmware/tests/test_der_stream.c: the simulator keeps exactly the bytes the
// firmware keeps of a downloaded file.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../testing/shared-dir.js';
import { stagedDer } from './staged-der.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('stagedDer (the firmware der_stream rule)', () => {
  const pem = new Uint8Array(readFileSync(sharedPath('vectors', 'inputs', 'server_rsa2048.key')));
  const der = new Uint8Array(readFileSync(sharedPath('vectors', 'inputs', 'ca_rsa2048.der')));
  const keyDer = new Uint8Array(createPrivateKey(Buffer.from(pem)).export({ type: 'pkcs8', format: 'der' }));

  it('passes DER through and decodes the first PEM block, wherever it starts', () => {
    expect(stagedDer(der)).toEqual(der);
    expect(stagedDer(pem)).toEqual(keyDer);
    expect(stagedDer(Uint8Array.from([...bytes('Bag Attributes\r\n    localKeyID: 01\r\n-'), ...pem]))).toEqual(keyDer);
  });

  it('refuses what is not a plain block', () => {
    expect(stagedDer(bytes('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n'))).toBeUndefined();
    expect(stagedDer(bytes('-----BEGIN CERTIFICATE-----\nMIIB'))).toBeUndefined();
    expect(stagedDer(bytes('hello world'))).toBeUndefined();
    expect(stagedDer(new Uint8Array())).toBeUndefined();
    expect(stagedDer(bytes('-----BEGIN X-----\nAAEC\nAw==\n-----END X-----\n'))).toEqual(Uint8Array.of(0, 1, 2, 3));
  });
});
