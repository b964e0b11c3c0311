/**
 * The files a person gives to import a station CA, sorted into certificates and keys whatever
 * their order and format: PEM (certificates and/or a key), DER certificate or key, PKCS#12.
 * Shared by `winc-cert ca import` and the app. Pure: bytes in; how a PKCS#12 file is opened
 * (which password, asked how) is the caller's.
 */
import { sniffDer } from '../certs/sniff.js';
import { CaError } from './errors.js';
import type { CaImportInput } from './ca-material.js';

export interface CaImportFile {
  name: string;
  bytes: Uint8Array;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/gu;

export async function sortCaImportFiles(files: readonly CaImportFile[], openPkcs12: (file: CaImportFile) => Promise<{ certificates: Uint8Array[]; keys: Uint8Array[] }>): Promise<CaImportInput> {
  const certificates: Uint8Array[] = [];
  const keys: Uint8Array[] = [];
  for (const file of files) {
    const head = Buffer.from(file.bytes.subarray(0, 65536)).toString('latin1');
    if (head.includes('-----BEGIN')) {
      const text = Buffer.from(file.bytes).toString('latin1');
      const found = [...text.matchAll(PEM_CERTIFICATE)].map((match) => new Uint8Array(Buffer.from(match[1]!.replace(/\s+/gu, ''), 'base64')));
      const hasKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----/u.test(text);
      if (hasKey) keys.push(file.bytes);
      certificates.push(...found);
      if (!hasKey && found.length === 0) throw new CaError('BAD_INPUT', `${file.name} holds neither a certificate nor a private key (a CSR or a public key?).`);
      continue;
    }
    const kind = sniffDer(file.bytes);
    if (kind === 'pkcs12') {
      const contents = await openPkcs12(file);
      certificates.push(...contents.certificates);
      keys.push(...contents.keys);
    } else if (kind === 'certificate') certificates.push(file.bytes);
    else if (kind.endsWith('private-key')) keys.push(file.bytes);
    else throw new CaError('BAD_INPUT', `${file.name} is neither a certificate, a private key nor a PKCS#12 file.`);
  }
  return { certificates, keys };
}
