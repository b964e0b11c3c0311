import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../x509/certificate.js';
import { KeyError, privateKeyMatchesPublicKey, readPrivateKey, readPrivateKeyWithContainer } from './index.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function jwkBytes(key: KeyObject, field: string): Uint8Array {
  const value = (key.export({ format: 'jwk' }) as Record<string, string>)[field]!;
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

function errorCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyError);
    return (error as KeyError).code;
  }
  return 'no error';
}

describe('readPrivateKey: RSA', () => {
  const forms: [string, string | Uint8Array, string][] = [
    ['PKCS#1 PEM', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, 'pkcs1'],
    ['PKCS#8 PEM', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'pkcs8'],
    ['PKCS#1 DER', new Uint8Array(rsa.privateKey.export({ type: 'pkcs1', format: 'der' })), 'pkcs1'],
    ['PKCS#8 DER', new Uint8Array(rsa.privateKey.export({ type: 'pkcs8', format: 'der' })), 'pkcs8'],
    ['PKCS#8 PEM as bytes', new TextEncoder().encode(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), 'pkcs8'],
  ];
  it.each(forms)('%s gives the key elements', (_name, input, container) => {
    const read = readPrivateKeyWithContainer(input);
    expect(read.container).toBe(container);
    const key = read.key;
    if (key.kind !== 'rsa') throw new Error('expected RSA');
    expect(key.bits).toBe(1024);
    for (const [field, jwk] of [['n', 'n'], ['e', 'e'], ['d', 'd'], ['p', 'p'], ['q', 'q'], ['dp', 'dp'], ['dq', 'dq'], ['qi', 'qi']] as const) {
      expect(Buffer.from(key[field]).toString('hex'), field).toBe(Buffer.from(jwkBytes(rsa.privateKey, jwk)).toString('hex'));
    }
  });
});

describe('readPrivateKey: EC', () => {
  const x = jwkBytes(ec.privateKey, 'x');
  const y = jwkBytes(ec.privateKey, 'y');
  const d = jwkBytes(ec.privateKey, 'd');
  const sec1Der = new Uint8Array(ec.privateKey.export({ type: 'sec1', format: 'der' }));
  it.each([
    ['SEC1 PEM', ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string],
    ['PKCS#8 PEM', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['SEC1 DER', sec1Der],
    ['PKCS#8 DER', new Uint8Array(ec.privateKey.export({ type: 'pkcs8', format: 'der' }))],
    ['SEC1 PEM after EC PARAMETERS', `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string}`],
  ])('%s gives curve, scalar and public point', (_name, input) => {
    const key = readPrivateKey(input);
    expect(key).toEqual({ kind: 'ec', curve: 'P-256', d, publicPoint: Uint8Array.from([4, ...x, ...y]) });
  });

  it('derives the public point when SEC1 omits it', () => {
    // SEQUENCE { INTEGER 1, OCTET STRING d, [0] { OID prime256v1 } }
    const oid = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const body = [0x02, 0x01, 0x01, 0x04, 0x20, ...d, 0xa0, oid.length, ...oid];
    const key = readPrivateKey(Uint8Array.from([0x30, body.length, ...body]));
    expect(key.kind === 'ec' && Buffer.from(key.publicPoint).toString('hex')).toBe(Buffer.from([4, ...x, ...y]).toString('hex'));
  });
});

describe('readPrivateKey: refusals are typed', () => {
  it('encrypted PKCS#8 PEM and DER', () => {
    const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'x' }) as string;
    expect(errorCode(() => readPrivateKey(pem))).toBe('KEY_ENCRYPTED');
    const der = new Uint8Array(rsa.privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-128-cbc', passphrase: 'x' }));
    expect(errorCode(() => readPrivateKey(der))).toBe('KEY_ENCRYPTED');
  });
  it('legacy encrypted PKCS#1 PEM', () => {
    const pem = rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'x' }) as string;
    expect(errorCode(() => readPrivateKey(pem))).toBe('KEY_ENCRYPTED');
  });
  it('Ed25519 and P-384 are unsupported or flagged', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(errorCode(() => readPrivateKey(ed))).toBe('KEY_UNSUPPORTED');
    const p384 = readPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    expect(p384.kind === 'ec' && p384.curve).toBe('P-384');
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(errorCode(() => readPrivateKey(k1))).toBe('KEY_UNSUPPORTED');
  });
  it('a certificate, a public key, garbage and truncations are KEY_MALFORMED', () => {
    expect(errorCode(() => readPrivateKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string))).toBe('KEY_MALFORMED');
    expect(errorCode(() => readPrivateKey(new Uint8Array(rsa.publicKey.export({ type: 'spki', format: 'der' }))))).toBe('KEY_MALFORMED');
    expect(errorCode(() => readPrivateKey('hello'))).toBe('KEY_MALFORMED');
    const der = new Uint8Array(rsa.privateKey.export({ type: 'pkcs8', format: 'der' }));
    for (let length = 0; length < der.length; length += 7) expect(errorCode(() => readPrivateKey(der.subarray(0, length)))).toBe('KEY_MALFORMED');
  });
});

describe('readPrivateKey: found by the fuzz test', () => {
  it('a malformed length inside the algorithm SEQUENCE is KEY_MALFORMED, not a raw DER error', () => {
    expect(errorCode(() => readPrivateKey(new Uint8Array([0x30, 0x08, 0x02, 0x01, 0x00, 0x30, 0x03, 0x02, 0x85, 0x00])))).toBe('KEY_MALFORMED');
  });
});

describe('privateKeyMatchesPublicKey', () => {
  it('matches the vector key with its certificate and not with another', () => {
    const vectors = join(import.meta.dirname, '..', '..', '..', 'shared', 'vectors', 'inputs');
    const key = readPrivateKey(readFileSync(join(vectors, 'server_rsa2048.key')));
    expect(privateKeyMatchesPublicKey(key, parseCertificate(readFileSync(join(vectors, 'server_rsa2048.der'))).publicKey)).toBe(true);
    expect(privateKeyMatchesPublicKey(key, parseCertificate(readFileSync(join(vectors, 'ca_rsa2048.der'))).publicKey)).toBe(false);
  });
});
