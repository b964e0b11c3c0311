/**
 * Turning a server certificate chain (and, for RSA, its private key) into TLS
 * store files the way Microchip's tls_srv_sec.c does (winc-cert-store.md
 * §3.3–3.7), and planning a store from a base store plus new chains.
 *
 * Kept from Microchip's tool, because the vectors pin them: file order
 * CERT_leaf, CERT_issuers…, PRIV_leaf, RSA.lst (or CERT_…, ECDSA.lst); CERT_
 * names from the DER serial octets in lower-case hex; one reused 48-byte name
 * buffer per chain (a shorter name keeps the tail of the previous one); list
 * records copied from that buffer; a certificate already stored is listed, not
 * written again.
 * Better than the tool: a new chain replaces the stored chain of the same kind
 * instead of being ignored; certificates that do not chain are refused instead
 * of silently dropped; a name clash between different certificates is refused;
 * the key must match the leaf; size and file count are checked before output.
 */
import { readChildren, readSingle } from '../asn1/der.js';
import { privateKeyMatchesPublicKey } from '../keys/key-match.js';
import type { PrivateKeyInfo } from '../keys/private-key.js';
import type { ParsedCertificate } from '../x509/certificate.js';
import { bytesEqual, toHex } from './bytes.js';
import { StoreError } from './errors.js';
import { tlsStoreCapacity } from './flash-layout.js';
import { wincNameHash } from './name-hash.js';
import { encodePrivKeyFile, type PrivKeyFileOptions } from './priv-key-file.js';
import {
  checkTlsCapacity,
  defaultNameField,
  ECDSA_LIST_NAME,
  RSA_LIST_NAME,
  TLS_FILE_NAME_SIZE,
  tlsStoreUsedBytes,
  type DecodedTlsStore,
  type TlsLayout,
  type TlsStoreFile,
} from './tls-store.js';

export interface TlsChainInput {
  /** Leaf first, then its issuers (any order; they are sorted by issuer link). */
  certificates: { label: string; cert: ParsedCertificate }[];
  /** Required for an RSA leaf; must be absent for an ECDSA leaf (its key lives in a secure element). */
  key?: { label: string; key: PrivateKeyInfo };
}

export type TlsFileAction = 'added' | 'already-stored' | 'kept' | 'removed';

export interface TlsFileChange {
  name: string;
  action: TlsFileAction;
  /** Where it came from (file label or subject), when known. */
  detail?: string;
}

export interface TlsStorePlan {
  files: TlsStoreFile[];
  /** The chains added, each as an ordered list of certificate file names with subjects. */
  chains: { kind: 'rsa' | 'ecdsa'; certificates: { name: string; label: string; subject: string }[]; keyFile?: string }[];
  changes: TlsFileChange[];
  usedBytes: number;
  freeBytes: number;
  capacityBytes: number;
}

export interface TlsPlanOptions {
  privateKeyFile?: PrivKeyFileOptions;
  /** Plan past the end of the section instead of throwing (to draw an overflow; never to write). */
  allowOverflow?: boolean;
}

/** `CERT_` + lower-case hex of the DER serialNumber content octets (leading 00 included). */
export function certificateFileName(cert: ParsedCertificate): string {
  return `CERT_${toHex(rawSerialOctets(cert))}`;
}

function rawSerialOctets(cert: ParsedCertificate): Uint8Array {
  const fields = readChildren(readSingle(cert.tbs));
  const serial = fields[0]?.tag === 0xa0 ? fields[1] : fields[0];
  if (!serial || serial.tag !== 0x02) throw new StoreError('TLS_ENTRY_CORRUPT', `${cert.subjectText}: no serial number found.`);
  return serial.value;
}

/**
 * Orders a chain as Microchip's ReadServerX509Chain does: the first certificate
 * is the leaf, then each certificate is followed by its issuer (matched by WINC
 * name hash). Certificates that are not part of the chain are refused.
 */
export function orderServerChain<T extends { label: string; cert: ParsedCertificate }>(certificates: T[]): T[] {
  const [leaf, ...rest] = certificates;
  if (!leaf) throw new StoreError('TLS_CHAIN_EMPTY', 'No certificates given: give the server (leaf) certificate first, then its issuers.');
  const ordered = [leaf];
  const remaining = [...rest];
  let current = leaf;
  while (remaining.length > 0) {
    const issuerHash = wincNameHash(current.cert.issuerDer);
    if (bytesEqual(issuerHash, wincNameHash(current.cert.subjectDer))) break;
    const index = remaining.findIndex((candidate) => bytesEqual(wincNameHash(candidate.cert.subjectDer), issuerHash));
    if (index < 0) break;
    current = remaining.splice(index, 1)[0]!;
    ordered.push(current);
  }
  if (remaining.length > 0) {
    throw new StoreError(
      'TLS_CHAIN_UNRELATED',
      `${remaining.map((item) => item.label).join(', ')} ${remaining.length === 1 ? 'is' : 'are'} not an issuer in the chain of ${leaf.label} (${leaf.cert.subjectText}). ` +
        'Give the leaf first, then only its issuing CAs.',
    );
  }
  return ordered;
}

interface ChainFiles {
  kind: 'rsa' | 'ecdsa';
  /** Files to write, in order (certificates already stored are not among them). */
  files: TlsStoreFile[];
  alreadyStored: string[];
  certificates: { name: string; label: string; subject: string }[];
  keyFile?: string;
}

/** The files for one chain, given the files already in the store. */
export function buildChainFiles(input: TlsChainInput, existing: TlsStoreFile[], options: TlsPlanOptions = {}): ChainFiles {
  const ordered = orderServerChain(input.certificates);
  const leaf = ordered[0]!;
  const leafKey = leaf.cert.publicKey;
  let kind: 'rsa' | 'ecdsa';
  if (leafKey.kind === 'rsa') {
    kind = 'rsa';
    if (!input.key) throw new StoreError('TLS_KEY_REQUIRED', `${leaf.label} has an RSA key: give its private key with --key (PKCS#1 or PKCS#8, PEM or DER).`);
    if (input.key.key.kind !== 'rsa' || !privateKeyMatchesPublicKey(input.key.key, leafKey)) {
      throw new StoreError('KEY_MISMATCH', `The private key ${input.key.label} does not belong to ${leaf.label} (${leaf.cert.subjectText}): the RSA moduli differ. Give the key the certificate was issued for.`);
    }
  } else if (leafKey.kind === 'ec') {
    kind = 'ecdsa';
    if (input.key) {
      throw new StoreError(
        'TLS_EC_KEY_NOT_STORED',
        `${leaf.label} has an ECDSA key. The WINC never stores ECDSA private keys (they stay in a secure element such as an ATECC608); build the chain without --key.`,
      );
    }
    if (leafKey.curve !== 'P-256') throw new StoreError('TLS_UNSUPPORTED_KEY', `${leaf.label} uses ${leafKey.curve}; the WINC supports ECDSA P-256 only.`);
  } else {
    throw new StoreError('TLS_UNSUPPORTED_KEY', `${leaf.label} has a ${leafKey.algorithmOid} key; the WINC supports RSA and ECDSA P-256 server certificates.`);
  }

  const stored = new Map(existing.map((file) => [file.name, file]));
  const nameBuffer = new Uint8Array(TLS_FILE_NAME_SIZE);
  const records: Uint8Array[] = [];
  const files: TlsStoreFile[] = [];
  const alreadyStored: string[] = [];
  for (const item of ordered) {
    const name = certificateFileName(item.cert);
    if (name.length > TLS_FILE_NAME_SIZE - 1) {
      throw new StoreError('TLS_NAME_TOO_LONG', `${item.label}: its serial number is too long for a ${TLS_FILE_NAME_SIZE}-byte WINC file name (${name.length} characters).`);
    }
    // strcpy into the reused buffer: bytes after the NUL keep the previous name's tail.
    for (let i = 0; i < name.length; i++) nameBuffer[i] = name.charCodeAt(i);
    nameBuffer[name.length] = 0;
    const field = nameBuffer.slice();
    records.push(field);
    const previous = stored.get(name);
    if (previous) {
      if (!bytesEqual(previous.data, item.cert.der)) {
        throw new StoreError(
          'TLS_NAME_CONFLICT',
          `${item.label} would be stored as ${name}, but the store already holds a different certificate under that name (same serial number). Build the store without --base, or use certificates with distinct serial numbers.`,
        );
      }
      alreadyStored.push(name);
      continue;
    }
    const file = { name, data: item.cert.der, nameField: field, label: item.label };
    files.push(file);
    stored.set(name, file);
  }
  const certificates = ordered.map((item) => ({ name: certificateFileName(item.cert), label: item.label, subject: item.cert.subjectText }));
  if (kind === 'rsa') {
    const keyName = `PRIV_${certificates[0]!.name.slice(5)}`;
    if (stored.has(keyName)) throw new StoreError('TLS_NAME_CONFLICT', `The store already holds a key file ${keyName}. Build the store without --base.`);
    const keyField = defaultNameField(keyName);
    files.push({ name: keyName, data: encodePrivKeyFile(input.key!.key as Extract<PrivateKeyInfo, { kind: 'rsa' }>, options.privateKeyFile), nameField: keyField, label: input.key!.label });
    files.push({ name: RSA_LIST_NAME, data: concat([keyField, ...records]) });
    return { kind, files, alreadyStored, certificates, keyFile: keyName };
  }
  files.push({ name: ECDSA_LIST_NAME, data: concat(records) });
  return { kind, files, alreadyStored, certificates };
}

/**
 * Plans the TLS store: the files of `base` (if any) with any chain of the same
 * kind as a new one removed, then each new chain's files. Throws StoreError /
 * StoreFullError before anything is produced.
 */
export function planTlsStore(base: DecodedTlsStore | null, chains: TlsChainInput[], layout: TlsLayout, options: TlsPlanOptions = {}): TlsStorePlan {
  const changes: TlsFileChange[] = [];
  const newKinds = new Set<string>();
  let files: TlsStoreFile[] = base ? base.files.map((file) => ({ name: file.name, data: file.data, nameField: file.nameField })) : [];
  const planned: TlsStorePlan['chains'] = [];
  for (const chain of chains) {
    const leafKind = chain.certificates[0]?.cert.publicKey.kind === 'ec' ? 'ecdsa' : 'rsa';
    if (newKinds.has(leafKind)) throw new StoreError('TLS_NAME_CONFLICT', `Two ${leafKind.toUpperCase()} chains given; the WINC stores one RSA chain and one ECDSA chain.`);
    newKinds.add(leafKind);
    if (base) files = removeChain(files, base, leafKind, changes);
    const built = buildChainFiles(chain, files, options);
    for (const name of built.alreadyStored) changes.push({ name, action: 'already-stored' });
    for (const file of built.files) changes.push({ name: file.name, action: 'added', ...(file.label ? { detail: file.label } : {}) });
    files = [...files, ...built.files];
    planned.push({ kind: built.kind, certificates: built.certificates, ...(built.keyFile ? { keyFile: built.keyFile } : {}) });
  }
  const removed = new Set(changes.filter((change) => change.action === 'removed').map((change) => change.name));
  if (base) for (const file of base.files) if (!removed.has(file.name) && files.some((kept) => kept.name === file.name)) changes.unshift({ name: file.name, action: 'kept' });
  if (!options.allowOverflow) checkTlsCapacity(files, layout);
  const usedBytes = tlsStoreUsedBytes(files, layout.tlsHeaderSize);
  const capacityBytes = tlsStoreCapacity(layout);
  return { files, chains: planned, changes, usedBytes, freeBytes: capacityBytes - usedBytes, capacityBytes };
}

/** Drops the stored chain of `kind`: its list, its key file, and certificates no other list names. */
function removeChain(files: TlsStoreFile[], base: DecodedTlsStore, kind: 'rsa' | 'ecdsa', changes: TlsFileChange[]): TlsStoreFile[] {
  const old = base.chains.find((chain) => chain.kind === kind);
  if (!old) return files;
  const stillListed = new Set(base.chains.filter((chain) => chain !== old).flatMap((chain) => chain.names));
  const drop = new Set([old.listFile, ...old.names.filter((name) => !stillListed.has(name))]);
  for (const name of drop) if (files.some((file) => file.name === name)) changes.push({ name, action: 'removed', detail: `old ${kind.toUpperCase()} chain` });
  return files.filter((file) => !drop.has(file.name));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
