/**
 * Reads certificate files as PEM (one or more CERTIFICATE blocks) or DER,
 * whatever the file extension says. Deliberately small; richer intake lives elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';

export interface CertificateInput {
  /** File name, with "#n" when a PEM file holds several certificates. */
  label: string;
  der: Uint8Array;
  cert: ParsedCertificate;
}

export class CertInputError extends Error {
  constructor(
    readonly code: 'CERT_FILE_UNREADABLE' | 'CERT_FILE_EMPTY' | 'CERT_MALFORMED',
    message: string,
  ) {
    super(message);
    this.name = 'CertInputError';
  }
}

const PEM_CERTIFICATE = /-----BEGIN (?:X509 )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 )?CERTIFICATE-----/g;

/** Parses the certificates in a file's bytes (PEM or DER). */
export function certificatesFromBytes(bytes: Uint8Array, label: string): CertificateInput[] {
  const text = new TextDecoder('latin1').decode(bytes);
  const ders = text.includes('-----BEGIN')
    ? [...text.matchAll(PEM_CERTIFICATE)].map((match) => new Uint8Array(Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64')))
    : [bytes];
  if (ders.length === 0) throw new CertInputError('CERT_FILE_EMPTY', `${label}: no CERTIFICATE block in this PEM file (is it a key or a CSR?).`);
  return ders.map((der, index) => {
    const name = ders.length > 1 ? `${label}#${index + 1}` : label;
    try {
      return { label: name, der, cert: parseCertificate(der) };
    } catch (error) {
      throw new CertInputError('CERT_MALFORMED', `${name}: not a certificate (${error instanceof Error ? error.message : String(error)}). Give a PEM or DER X.509 certificate.`);
    }
  });
}

export async function readCertificateFile(path: string): Promise<CertificateInput[]> {
  return certificatesFromBytes(await readInputFile(path, 'certificate'), basename(path));
}

/** Reads a whole input file, turning fs errors into a clear message. */
export async function readInputFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const reason = error && typeof error === 'object' && 'code' in error && error.code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new CertInputError('CERT_FILE_UNREADABLE', `Cannot read ${what} file '${path}': ${reason}.`);
  }
}
