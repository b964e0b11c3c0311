/**
 * The station's server identity, the same in the desktop app, browser mode and `winc-cert serve`:
 * a station trust CA (what modules are asked to trust; its key sealed at rest and used only to sign)
 * and a short-lived server certificate it issues (what the server presents, renewed by itself).
 *
 *   <dir>/trust-ca/        ca.pem, ca-key.sealed, ca-state.json (station-files/ca-folder.ts)
 *   <dir>/server-chain.pem the server certificate, then the trust CA
 *   <dir>/server-key.sealed the server key, sealed
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KeySealer } from '../app-data/key-sealer.js';
import { createStationCa, type CaSigner } from '../ca/index.js';
import { CaFolder, CaFolderError } from '../station-files/ca-folder.js';
import { writeFileDurably } from '../station-files/durable.js';
import { HttpsServerError } from './errors.js';
import { describeIdentity, expectedSubjectAltNames, type ServerIdentity } from './identity.js';
import { lanIpv4Addresses, type NetworkInterfaceMap } from './network-interfaces.js';

/** Server certificates live this long, and are renewed when less than a third of it is left. */
export const SERVER_CERTIFICATE_DAYS = 90;
const RENEW_WHEN_LEFT_MS = 30 * 24 * 3600 * 1000;
const TRUST_CA_DAYS = 3650;
const LEGACY_PLAIN_FILES = ['server-key.pem', 'server-cert.pem', 'server-cert.der'];

const generateKeyPairAsync = promisify(generateKeyPair);

export interface StationServerIdentity extends ServerIdentity {
  /** The trust CA's certificate: what a module's root store must hold to download from this station. */
  trustAnchorDer: Uint8Array;
  trustAnchor: { subject: string; sha256: string; notAfter: Date };
}

export type ServerCertificateRenewal = 'missing' | 'requested' | 'addresses-changed' | 'expiring' | 'unreadable' | 'new-trust-ca';

export interface StationIdentityRequest {
  dir: string;
  interfaces: NetworkInterfaceMap;
  hostname: string;
  /** Seals the trust CA's key: the OS keychain in the desktop app, else a user-only key file. */
  caSealer: KeySealer;
  /** Seals the server key: a user-only key file, so every mode of the app can serve. */
  keySealer: KeySealer;
  /** Issue a new server certificate even if the current one is fine. */
  renew?: boolean;
  now?: Date;
}

export interface LoadedStationIdentity {
  identity: StationServerIdentity;
  /** Why a new server certificate was issued; undefined when the stored one was reused. */
  renewed: ServerCertificateRenewal | undefined;
  /** True when the trust CA was created now (modules trusting an older one must be trusted again). */
  createdTrustCa: boolean;
  /** Plain key files of the old self-signed identity that were removed. */
  removedLegacyFiles: string[];
}

export async function loadStationIdentity(request: StationIdentityRequest): Promise<LoadedStationIdentity> {
  const now = request.now ?? new Date();
  const caDir = join(request.dir, 'trust-ca');
  let createdTrustCa = false;
  let folder: CaFolder;
  try {
    folder = await CaFolder.open(caDir);
  } catch (error) {
    if (!(error instanceof CaFolderError) || error.code !== 'CA_FOLDER_MISSING') throw storeError(caDir, error);
    const subject = `CN=WINC Cert Studio trust ${request.hostname.replace(/[^\w.-]/g, '').slice(0, 32) || 'station'}, O=WINC Cert Studio`;
    folder = await CaFolder.create(caDir, await createStationCa({ subject, keyType: 'rsa2048', validityDays: TRUST_CA_DAYS, now }), request.caSealer, now);
    createdTrustCa = true;
  }
  const removedLegacyFiles = await removeLegacyPlainKey(request.dir);
  const names = expectedSubjectAltNames(request.hostname, lanIpv4Addresses(request.interfaces));
  const trustAnchorDer = folder.certificates.certificateDer;

  let renewed: ServerCertificateRenewal | undefined = request.renew ? 'requested' : createdTrustCa ? 'new-trust-ca' : undefined;
  let leaf: ServerIdentity | undefined;
  if (!renewed) {
    const stored = await readLeaf(request.dir, request.keySealer);
    if (stored === 'missing' || stored === 'unreadable') renewed = stored;
    else if (!issuedBy(stored, trustAnchorDer)) renewed = 'new-trust-ca';
    else if (stored.notAfter.getTime() - now.getTime() < RENEW_WHEN_LEFT_MS) renewed = 'expiring';
    else if (!sameNames(stored, names)) renewed = 'addresses-changed';
    else leaf = stored;
  }
  if (!leaf) {
    let signer: CaSigner;
    try {
      signer = await folder.openSigner(request.caSealer, now);
    } catch (error) {
      throw new HttpsServerError(
        'IDENTITY_STORE_FAILED',
        `The server certificate needs renewing (${renewed}), but the station trust CA's key cannot be opened here: ${(error as Error).message} ` +
          'Start the WINC Cert Studio desktop app once to renew it (its key is protected by the OS keychain).',
        { cause: error },
      );
    }
    try {
      leaf = await issueLeaf(signer, names, request, now);
    } finally {
      signer.close();
    }
  }
  const anchor = folder.describe(now);
  return {
    identity: { ...leaf, trustAnchorDer, trustAnchor: { subject: anchor.subject, sha256: anchor.sha256Fingerprint, notAfter: new Date(anchor.notAfter) } },
    renewed,
    createdTrustCa,
    removedLegacyFiles,
  };
}

async function issueLeaf(signer: CaSigner, names: { dnsNames: string[]; ipAddresses: string[] }, request: StationIdentityRequest, now: Date): Promise<ServerIdentity> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const hostName = names.dnsNames.find((name) => name !== 'localhost') ?? 'localhost';
  const issued = signer.issueServerCertificate({
    key: privateKey as KeyObject,
    dnsNames: names.dnsNames,
    ipAddresses: names.ipAddresses,
    validityDays: SERVER_CERTIFICATE_DAYS,
    subject: `CN=WINC Cert Studio server ${hostName}`.slice(0, 64) + ', O=WINC Cert Studio',
    now,
  });
  const chainPem = issued.chainDer.map(derToPem).join('');
  const keyPem = (privateKey as KeyObject).export({ type: 'pkcs8', format: 'pem' }).toString();
  // Key first: a crash in between leaves a key without a matching certificate, which reads as unreadable and is renewed.
  await writeFileDurably(join(request.dir, 'server-key.sealed'), await request.keySealer.seal(new TextEncoder().encode(keyPem)), 0o600);
  await writeFileDurably(join(request.dir, 'server-chain.pem'), chainPem, 0o644);
  return describeIdentity(chainPem, keyPem, 'generated');
}

async function readLeaf(dir: string, sealer: KeySealer): Promise<ServerIdentity | 'missing' | 'unreadable'> {
  let chainPem: string;
  let sealedKey: Uint8Array;
  try {
    [chainPem, sealedKey] = await Promise.all([readFile(join(dir, 'server-chain.pem'), 'utf8'), readFile(join(dir, 'server-key.sealed')).then((b) => new Uint8Array(b))]);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    return describeIdentity(chainPem, new TextDecoder().decode(await sealer.open(sealedKey)), 'generated');
  } catch {
    return 'unreadable';
  }
}

/** The first self-signed identities kept their key as a plain PEM: once the station CA exists, it goes. */
async function removeLegacyPlainKey(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of LEGACY_PLAIN_FILES) {
    try {
      await rm(join(dir, name));
      removed.push(name);
    } catch {
      // not there
    }
  }
  return removed;
}

function issuedBy(leaf: ServerIdentity, caDer: Uint8Array): boolean {
  const blocks = leaf.certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/gu) ?? [];
  return blocks.slice(1).some((block) => Buffer.from(block.replace(/-----[^-]+-----|\s/gu, ''), 'base64').equals(Buffer.from(caDer)));
}

function sameNames(identity: ServerIdentity, expected: { dnsNames: string[]; ipAddresses: string[] }): boolean {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  return same([...identity.dnsNames].sort(), expected.dnsNames) && same([...identity.ipAddresses].sort(), expected.ipAddresses);
}

function derToPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{64}/gu, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.endsWith('\n') ? base64 : `${base64}\n`}-----END CERTIFICATE-----\n`;
}

function storeError(dir: string, error: unknown): HttpsServerError {
  return new HttpsServerError('IDENTITY_STORE_FAILED', `The station trust CA in ${dir} cannot be read: ${(error as Error).message}`, { cause: error });
}
