/**
 * Keeps the generated server identity in a caller-supplied data folder
 * (owner-only permissions) and decides when it must be made again.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpsServerError } from './errors.js';
import { createSelfSignedIdentity, describeIdentity, expectedSubjectAltNames, type ServerIdentity } from './identity.js';
import { lanIpv4Addresses, type NetworkInterfaceMap } from './network-interfaces.js';

export const IDENTITY_FILES = {
  key: 'server-key.pem',
  certPem: 'server-cert.pem',
  certDer: 'server-cert.der',
} as const;

/** Regenerate this long before expiry, so a board provisioned today keeps working. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export type IdentityRegenerationReason = 'missing' | 'requested' | 'addresses-changed' | 'expiring' | 'unreadable';

export interface LoadIdentityRequest {
  dir: string;
  interfaces: NetworkInterfaceMap;
  hostname: string;
  /** Force a new key and certificate. */
  regenerate?: boolean;
  now?: Date;
}

export interface LoadedIdentity {
  identity: ServerIdentity;
  /** Why a new identity was made; undefined when the stored one was reused. */
  regenerated: IdentityRegenerationReason | undefined;
  certDerPath: string;
  certPemPath: string;
}

export async function loadOrCreateIdentity(request: LoadIdentityRequest): Promise<LoadedIdentity> {
  const now = request.now ?? new Date();
  const lan = lanIpv4Addresses(request.interfaces);
  const paths = identityPaths(request.dir);
  await ensurePrivateDir(request.dir);

  let reason: IdentityRegenerationReason | undefined = request.regenerate ? 'requested' : undefined;
  if (!reason) {
    const stored = await readStored(request.dir);
    if (stored === 'missing' || stored === 'unreadable') reason = stored;
    else if (stored.notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS) reason = 'expiring';
    else if (!sameNames(stored, expectedSubjectAltNames(request.hostname, lan))) reason = 'addresses-changed';
    else return { identity: stored, regenerated: undefined, ...paths };
  }

  const identity = await createSelfSignedIdentity({ hostname: request.hostname, ipAddresses: lan, now });
  await writeIdentity(request.dir, identity);
  return { identity, regenerated: reason, ...paths };
}

export function identityPaths(dir: string): { certDerPath: string; certPemPath: string } {
  return { certDerPath: join(dir, IDENTITY_FILES.certDer), certPemPath: join(dir, IDENTITY_FILES.certPem) };
}

async function readStored(dir: string): Promise<ServerIdentity | 'missing' | 'unreadable'> {
  let keyPem: string;
  let certPem: string;
  try {
    [keyPem, certPem] = await Promise.all([readFile(join(dir, IDENTITY_FILES.key), 'utf8'), readFile(join(dir, IDENTITY_FILES.certPem), 'utf8')]);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    return describeIdentity(certPem, keyPem, 'generated');
  } catch {
    return 'unreadable';
  }
}

async function writeIdentity(dir: string, identity: ServerIdentity): Promise<void> {
  try {
    // Key first: a crash in between leaves a key without its certificate, which reads as 'unreadable' and is remade.
    await writePrivateFile(join(dir, IDENTITY_FILES.key), identity.keyPem);
    await writePrivateFile(join(dir, IDENTITY_FILES.certDer), identity.certDer);
    await writePrivateFile(join(dir, IDENTITY_FILES.certPem), identity.certPem);
  } catch (error) {
    throw new HttpsServerError('IDENTITY_STORE_FAILED', `Could not save the server identity in ${dir}: ${(error as Error).message}. Check that the folder is writable.`, { cause: error });
  }
}

async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  } catch (error) {
    throw new HttpsServerError('IDENTITY_STORE_FAILED', `Could not prepare the identity folder ${dir}: ${(error as Error).message}.`, { cause: error });
  }
}

function sameNames(identity: ServerIdentity, expected: { dnsNames: string[]; ipAddresses: string[] }): boolean {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  return same([...identity.dnsNames].sort(), expected.dnsNames) && same([...identity.ipAddresses].sort(), expected.ipAddresses);
}
