/**
 * Reads certificate files as PEM (one or more CERTIFICATE blocks) or DER,
 * whatever the file extension says. Deliberately small; richer intake lives elsewhere.
 */
import { basename } from 'node:path';
import { FileReadError, MAX_CERTIFICATE_FILE_BYTES, MAX_IMAGE_FILE_BYTES, readRegularFile } from '../files/regular-file.js';
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';

export interface CertificateInput {
  /** File name, with "#n" when a PEM file holds several certificates. */
  label: string;
  der: Uint8Array;
  cert: ParsedCertificate;
}

export class CertInputError extends Error {
  constructor(
    readonly code: 'CERT_FILE_UNREADABLE' | 'CERT_FILE_NOT_REGULAR' | 'CERT_FILE_TOO_LARGE' | 'CERT_FILE_EMPTY' | 'CERT_MALFORMED',
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

/**
 * Reads a whole input file: regular files only (a FIFO, a device such as /dev/zero, a folder or
 * a symlink loop is refused at once), certificates and keys up to 4 MiB, sections and images up to 16 MiB.
 */
export async function readInputFile(path: string, what: string): Promise<Uint8Array> {
  const maxBytes = /section|image/.test(what) ? MAX_IMAGE_FILE_BYTES : MAX_CERTIFICATE_FILE_BYTES;
  try {
    return await readRegularFile(path, { maxBytes, what });
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw new CertInputError(error.code === 'FILE_TOO_LARGE' ? 'CERT_FILE_TOO_LARGE' : error.code === 'FILE_NOT_REGULAR' || error.code === 'FILE_SYMLINK_LOOP' ? 'CERT_FILE_NOT_REGULAR' : 'CERT_FILE_UNREADABLE', error.message.replace(/^(.*?) does not exist\.$/, `Cannot read ${what} file '$1': no such file.`));
  }
}
