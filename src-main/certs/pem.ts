import { IntakeError } from './intake-error.js';

/** One `-----BEGIN X----- ... -----END X-----` block. */
export interface PemBlock {
  label: string;
  /** RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL encrypted keys). */
  headers: Record<string, string>;
  der: Uint8Array;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/** True when the bytes are text that contains at least one PEM BEGIN line. */
export function looksLikePem(bytes: Uint8Array): boolean {
  return latin1(bytes.subarray(0, Math.min(bytes.length, 1 << 20))).includes('-----BEGIN ');
}

/**
 * Splits a PEM text into its blocks, in file order. Text between blocks (openssl's
 * "Bag Attributes" or "subject=" lines) is ignored. Throws PEM_MALFORMED for a
 * BEGIN without its END, or a body that is not base64.
 */
export function splitPem(bytes: Uint8Array): PemBlock[] {
  const text = latin1(bytes);
  const blocks: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  for (let match = BEGIN.exec(text); match; match = BEGIN.exec(text)) {
    const label = match[1]!;
    const endMarker = `-----END ${label}-----`;
    const bodyStart = match.index + match[0].length;
    const endIndex = text.indexOf(endMarker, bodyStart);
    if (endIndex < 0) {
      throw new IntakeError('PEM_MALFORMED', `The "${label}" block has no END line: the file looks truncated; export it again.`);
    }
    blocks.push(decodeBody(label, text.slice(bodyStart, endIndex)));
    BEGIN.lastIndex = endIndex + endMarker.length;
  }
  return blocks;
}

function decodeBody(label: string, body: string): PemBlock {
  const headers: Record<string, string> = {};
  const lines = body.split(/\r?\n/);
  const base64Lines: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (header && base64Lines.length === 0) headers[header[1]!] = header[2]!;
    else base64Lines.push(line);
  }
  const base64 = base64Lines.join('');
  if (base64.length === 0 || base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new IntakeError('PEM_MALFORMED', `The "${label}" block is not valid base64: the file is damaged; export it again.`);
  }
  return { label, headers, der: new Uint8Array(Buffer.from(base64, 'base64')) };
}

/** Wraps DER bytes in a PEM block with 64-character lines. */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
