import { decryptLegacyPem, decryptPkcs8, DEFAULT_KDF_LIMITS, KeyError, type KdfLimits } from '../keys/index.js';
import { parseCertificate, type ParsedCertificate } from '../x509/certificate.js';
import { finding, type Finding } from './findings.js';
import { IntakeError, type ReadErrorCode } from './intake-error.js';
import { encodePem, looksLikePem, splitPem, type PemBlock } from './pem.js';
import { readPkcs12 } from './pkcs12.js';
import { readPrivateKeyDer, type PrivateKeyMaterial } from './private-key.js';
import { sniffDer } from './sniff.js';

/** One dropped or named file. */
export interface IntakeInput {
  name: string;
  bytes: Uint8Array;
  /** The password of a PKCS#12 file or of the encrypted keys in the file. */
  password?: string;
  /**
   * What the file holds, when it was already opened: the app opens files that need a key
   * derivation (PKCS#12, encrypted keys) in a worker with a time limit and passes the result
   * here, so analysing (and re-analysing) never derives a key on the main thread.
   */
  extracted?: ExtractResult;
}

/** The certificates and plain keys of one file, or why it cannot be read. Plain data: it crosses a worker boundary. */
export type ExtractResult = { ok: true; objects: RawObject[]; ignoredLabels: string[] } | { ok: false; code: ReadErrorCode; message: string };

export interface ItemSource {
  fileName: string;
  /** Position of the file in the input list. */
  fileIndex: number;
  /** Position of this object inside its file (bundles and .p12 hold several). */
  part: number;
  container: 'pem' | 'der' | 'pkcs12';
}

export interface CertificateItem {
  /** Stable: derived from the content, so the same file gives the same id every time. */
  id: string;
  type: 'certificate';
  source: ItemSource;
  der: Uint8Array;
  certificate: ParsedCertificate;
  /** Set when an identical certificate came earlier; such items take no further part. */
  duplicateOf?: string;
}

export interface PrivateKeyItem {
  id: string;
  type: 'private-key';
  source: ItemSource;
  key: PrivateKeyMaterial;
  duplicateOf?: string;
}

export type IntakeItem = CertificateItem | PrivateKeyItem;

export interface ReadResult {
  items: IntakeItem[];
  findings: Finding[];
}

export type RawObject =
  | { type: 'certificate'; der: Uint8Array; container: ItemSource['container'] }
  | { type: 'private-key'; der: Uint8Array; container: ItemSource['container'] };

const IGNORED_PEM_LABELS: Record<string, string> = {
  'EC PARAMETERS': 'EC curve parameters',
  'CERTIFICATE REQUEST': 'a certificate request (CSR)',
  'NEW CERTIFICATE REQUEST': 'a certificate request (CSR)',
  'PUBLIC KEY': 'a bare public key',
  'RSA PUBLIC KEY': 'a bare public key',
  'X509 CRL': 'a revocation list',
  'DH PARAMETERS': 'Diffie-Hellman parameters',
};

/**
 * Reads every input into certificate and private-key items. Nothing here throws:
 * a file that cannot be read becomes a finding with a stable code.
 */
export function readInputs(inputs: readonly IntakeInput[]): ReadResult {
  const items: IntakeItem[] = [];
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  const idCounts = new Map<string, number>();

  inputs.forEach((input, fileIndex) => {
    const problem = (code: Parameters<typeof finding>[0], message: string) =>
      findings.push(finding(code, `${input.name}: ${message}`, { fileNames: [input.name], fileIndex }));
    const extracted = input.extracted ?? extractFileObjects(input);
    if (!extracted.ok) {
      problem(extracted.code, extracted.message);
      return;
    }
    for (const label of extracted.ignoredLabels) problem('PEM_BLOCK_IGNORED', `${IGNORED_PEM_LABELS[label] ?? `a "${label}" block`} is not needed and was left out.`);
    const objects = extracted.objects;
    if (objects.length === 0 && !findings.some((f) => f.fileNames.includes(input.name))) {
      problem('NO_CERTIFICATE_MATERIAL', 'This file holds no certificate or key and was left out.');
    }
    objects.forEach((object, part) => {
      const source: ItemSource = { fileName: input.name, fileIndex, part, container: object.container };
      try {
        const item = toItem(object, source);
        const contentKey = `${item.type}:${item.type === 'certificate' ? item.certificate.sha256Fingerprint : item.key.publicKeyDigest}`;
        const count = (idCounts.get(item.id) ?? 0) + 1;
        idCounts.set(item.id, count);
        if (count > 1) item.id = `${item.id}-${count}`;
        const earlier = seen.get(contentKey);
        if (earlier) {
          item.duplicateOf = earlier;
          const first = items.find((i) => i.id === earlier);
          findings.push(
            finding(
              'DUPLICATE_FILE',
              `${describeSource(source)} holds the same ${item.type === 'certificate' ? 'certificate' : 'key'} as ${first ? describeSource(first.source) : 'an earlier file'}; it is used once.`,
              { itemIds: [item.id, earlier], fileNames: [input.name, ...(first ? [first.source.fileName] : [])] },
            ),
          );
        } else {
          seen.set(contentKey, item.id);
        }
        items.push(item);
      } catch (error) {
        const code = error instanceof IntakeError ? error.code : object.type === 'certificate' ? 'CERT_MALFORMED' : 'KEY_MALFORMED';
        const message =
          error instanceof IntakeError
            ? error.message
            : object.type === 'certificate'
              ? 'A certificate in this file is damaged or truncated: export it again.'
              : 'A private key in this file is damaged or truncated: export it again.';
        problem(code, objects.length > 1 ? `object ${part + 1}: ${message}` : message);
      }
    });
  });
  return { items, findings };
}

export function describeSource(source: ItemSource): string {
  return source.part > 0 || source.container === 'pkcs12' ? `${source.fileName} (#${source.part + 1})` : source.fileName;
}

function toItem(object: RawObject, source: ItemSource): IntakeItem {
  if (object.type === 'certificate') {
    let certificate: ParsedCertificate;
    try {
      certificate = parseCertificate(object.der);
    } catch {
      throw new IntakeError('CERT_MALFORMED', 'The certificate is damaged or truncated: export it again.');
    }
    return { id: `cert-${certificate.sha256Fingerprint.slice(0, 12)}`, type: 'certificate', source, der: object.der, certificate };
  }
  const key = readPrivateKeyDer(object.der);
  return { id: `key-${key.publicKeyDigest.slice(0, 12)}`, type: 'private-key', source, key };
}

/**
 * Everything one file holds, decrypted with its password where it needs one (PKCS#12,
 * encrypted keys; key-derivation costs capped by `limits`). Never throws: a file that
 * cannot be read gives `ok: false` with a stable code. Pure; the app runs it in a worker
 * for the files `needsKeyDerivation` picks.
 */
export function extractFileObjects(input: Pick<IntakeInput, 'bytes' | 'password'>, limits: KdfLimits = DEFAULT_KDF_LIMITS): ExtractResult {
  const ignoredLabels: string[] = [];
  try {
    return { ok: true, objects: extractObjects(input, limits, (label) => ignoredLabels.push(label)), ignoredLabels };
  } catch (error) {
    if (error instanceof IntakeError) return { ok: false, code: error.code, message: error.message };
    if (error instanceof KeyError) return { ok: false, ...fromKeyError(error) };
    return { ok: false, code: 'UNRECOGNISED_CONTENT', message: 'This file could not be read as a certificate, key or PKCS#12 file; check that it is the right file.' };
  }
}

/** True when reading the file derives a key from a password (PKCS#12, encrypted keys): cheap, derives nothing. */
export function needsKeyDerivation(bytes: Uint8Array): boolean {
  if (looksLikePem(bytes)) {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return head.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,\s*ENCRYPTED/.test(head);
  }
  const content = sniffDer(bytes);
  return content === 'pkcs12' || content === 'pkcs8-encrypted-private-key';
}

function extractObjects(input: Pick<IntakeInput, 'bytes' | 'password'>, limits: KdfLimits, ignored: (label: string) => void): RawObject[] {
  const bytes = input.bytes;
  if (bytes.length === 0 || bytes.every((byte) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09)) {
    throw new IntakeError('FILE_EMPTY', 'The file is empty: pick the file that holds the certificate or key.');
  }
  if (looksLikePem(bytes)) return splitPem(bytes).flatMap((block) => pemObjects(block, input.password, limits, ignored));
  return derObjects(bytes, input.password, limits);
}

function pemObjects(block: PemBlock, password: string | undefined, limits: KdfLimits, ignored: (label: string) => void): RawObject[] {
  switch (block.label) {
    case 'CERTIFICATE':
    case 'X509 CERTIFICATE':
      return [{ type: 'certificate', der: block.der, container: 'pem' }];
    case 'TRUSTED CERTIFICATE':
      // OpenSSL's trusted form: the DER certificate followed by trust settings.
      return [{ type: 'certificate', der: firstElement(block.der), container: 'pem' }];
    case 'RSA PRIVATE KEY':
    case 'EC PRIVATE KEY':
      if ((block.headers['Proc-Type'] ?? '').includes('ENCRYPTED')) {
        return [{ type: 'private-key', der: decryptLegacyPem(legacyPemText(block), password), container: 'pem' }];
      }
      return [{ type: 'private-key', der: block.der, container: 'pem' }];
    case 'PRIVATE KEY':
      return [{ type: 'private-key', der: block.der, container: 'pem' }];
    case 'ENCRYPTED PRIVATE KEY':
      return [{ type: 'private-key', der: decryptPkcs8(block.der, password, limits), container: 'pem' }];
    case 'PKCS7':
    case 'CMS':
      throw pkcs7();
    default:
      ignored(block.label);
      return [];
  }
}

function derObjects(bytes: Uint8Array, password: string | undefined, limits: KdfLimits): RawObject[] {
  const container = 'der';
  switch (sniffDer(bytes)) {
    case 'certificate':
      return [{ type: 'certificate', der: withoutTrailingPadding(bytes), container }];
    case 'pkcs1-private-key':
      return [{ type: 'private-key', der: bytes, container }];
    case 'pkcs8-private-key':
      return [{ type: 'private-key', der: bytes, container }];
    case 'sec1-private-key':
      return [{ type: 'private-key', der: bytes, container }];
    case 'pkcs8-encrypted-private-key':
      return [{ type: 'private-key', der: decryptPkcs8(bytes, password, limits), container }];
    case 'pkcs7':
      throw pkcs7();
    case 'pkcs12': {
      const contents = readPkcs12(bytes, password, limits);
      return [
        ...contents.certificates.map((der): RawObject => ({ type: 'certificate', der, container: 'pkcs12' })),
        ...contents.keys.map((der): RawObject => ({ type: 'private-key', der, container: 'pkcs12' })),
      ];
    }
    default:
      if (isMostlyText(bytes)) return [];
      throw new IntakeError('UNRECOGNISED_CONTENT', 'This is not a certificate, private key or PKCS#12 file, or it is damaged: check that it is the right file.');
  }
}

/** The block as OpenSSL wrote it, headers included: node needs the DEK-Info line to decrypt. */
function legacyPemText(block: PemBlock): string {
  const headers = Object.entries(block.headers).map(([name, value]) => `${name}: ${value}\n`).join('');
  return encodePem(block.label, block.der).replace('-----\n', `-----\n${headers}\n`);
}

function fromKeyError(error: KeyError): { code: ReadErrorCode; message: string } {
  switch (error.code) {
    case 'KEY_UNSUPPORTED':
      return { code: 'KEY_TYPE_UNSUPPORTED', message: error.message };
    default:
      return { code: error.code, message: error.message };
  }
}

function pkcs7(): IntakeError {
  return new IntakeError('CONTAINER_UNSUPPORTED', 'PKCS#7 (.p7b) bundles are not read: export the certificates as PEM or DER files instead.');
}

function firstElement(der: Uint8Array): Uint8Array {
  if (der.length < 2) return der;
  const lengthByte = der[1]!;
  if ((lengthByte & 0x80) === 0) return der.subarray(0, Math.min(der.length, 2 + lengthByte));
  const count = lengthByte & 0x7f;
  let length = 0;
  for (let i = 0; i < count && 2 + i < der.length; i++) length = length * 256 + der[2 + i]!;
  return der.subarray(0, Math.min(der.length, 2 + count + length));
}

/** Some tools pad DER files with a newline or zeros; the certificate is the first element. */
function withoutTrailingPadding(bytes: Uint8Array): Uint8Array {
  const first = firstElement(bytes);
  const rest = bytes.subarray(first.length);
  return rest.length > 0 && rest.every((byte) => byte === 0x00 || byte === 0x0a || byte === 0x0d || byte === 0x20) ? first : bytes;
}

function isMostlyText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 4096);
  let printable = 0;
  for (const byte of sample) if (byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f) || byte >= 0xc0) printable++;
  return printable / sample.length > 0.95;
}
