import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitPem } from '../certs/pem.js';
import { sharedPath } from '../testing/shared-dir.js';
import { toHex } from '../store/bytes.js';
import { decodeRootSection } from '../store/root-store.js';
import { parseCertificate } from '../x509/certificate.js';
import { KNOWN_ROOT_NAMES } from './known-roots.generated.js';
import { buildRootNameTable, renderRootNameTable, rootDisplayName } from './root-name-table.js';
import { knownRootName } from './root-names.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const FACTORY_ROOTS = path.join(REPO, 'scripts', 'root-names', 'factory-roots');
const PUBLIC_CAS = '/usr/share/ca-certificates/mozilla';
const factoryCertificates = () => readdirSync(FACTORY_ROOTS).sort().map((name) => parseCertificate(new Uint8Array(readFileSync(path.join(FACTORY_ROOTS, name)))));

/** Factory-store hashes that match no public certificate found (see scripts/root-names/README.md). */
const UNNAMED_FACTORY_ROOTS = [
  '13500e689ff0e00357fafbeddf9ad74523fb9503',
  '2697e6decfb4e13c9ce25388c8aa0870b271b294',
  '313377ca3f4f08b109da2f1a518a5c41a8db20a1',
  '68a72fb0cb51c8063fd55d965d644f7cee29cb16',
  'c4a619bbd80255a2b9abcd381c50de21d68be4fe',
  'c59168826fd595fa1bc841686f429a88e24d50ee',
  'fa7ee4e1e0f734c6b40fd7607af813a541c750c0',
];

function factoryStores(): { name: string; section: Uint8Array }[] {
  const dir = sharedPath('winc-real-sections');
  return [
    ...readdirSync(dir).filter((name) => name.startsWith('root_')).map((name) => ({ name, section: new Uint8Array(readFileSync(path.join(dir, name))) })),
    { name: 'assets/sim/root-seed.bin', section: new Uint8Array(readFileSync(path.join(REPO, 'assets', 'sim', 'root-seed.bin'))) },
  ];
}

describe('the committed table of root names', () => {
  it('is well formed: one sorted entry per 40-hex hash, each with a name and an origin', () => {
    const hashes = KNOWN_ROOT_NAMES.map(([hash]) => hash);
    expect(hashes.length).toBeGreaterThan(100);
    expect(hashes.every((hash) => /^[0-9a-f]{40}$/.test(hash))).toBe(true);
    expect([...hashes].sort()).toEqual(hashes);
    expect(new Set(hashes).size).toBe(hashes.length);
    for (const [, name, origin] of KNOWN_ROOT_NAMES) {
      expect(name.trim().length, name).toBeGreaterThan(2);
      expect(['factory', 'public']).toContain(origin);
    }
  });

  it('holds exactly what the committed factory roots give, as the generator makes it', () => {
    const expected = buildRootNameTable(factoryCertificates().map((certificate) => ({ certificate, origin: 'factory' })));
    const committed = KNOWN_ROOT_NAMES.filter(([, , origin]) => origin === 'factory').map(([hash, name, origin]) => ({ hash, name, origin }));
    expect(committed).toEqual(expected);
    expect(renderRootNameTable(expected, ['x'])).toContain(`["${expected[0]!.hash}", ${JSON.stringify(expected[0]!.name)}, 'factory'],`);
  });

  it('names every root of the known factory stores, except the documented unknown ones', () => {
    const unnamed = new Set<string>();
    let named = 0;
    for (const store of factoryStores()) {
      for (const entry of decodeRootSection(store.section).entries) {
        const hash = toHex(entry.nameHash);
        if (knownRootName(hash)) named++;
        else unnamed.add(hash);
      }
    }
    expect(named).toBeGreaterThan(50);
    expect([...unnamed].sort()).toEqual(UNNAMED_FACTORY_ROOTS);
    expect(knownRootName('F53FA20D03923086E7058A404BFBB07118E59E4D')).toEqual({ hash: 'f53fa20d03923086e7058a404bfbb07118e59e4d', name: 'Baltimore CyberTrust Root', origin: 'factory' });
  });

  const publicList = existsSync(PUBLIC_CAS);
  if (!publicList) console.log(`Public CA consistency check skipped: no ${PUBLIC_CAS} on this machine (Debian package ca-certificates).`);
  it.runIf(publicList)("agrees with the machine's public CA list for every CA both know", () => {
    const table = new Map(KNOWN_ROOT_NAMES.map(([hash, name]) => [hash, name]));
    let compared = 0;
    for (const file of readdirSync(PUBLIC_CAS)) {
      for (const block of splitPem(new Uint8Array(readFileSync(path.join(PUBLIC_CAS, file))))) {
        const [entry] = buildRootNameTable([{ certificate: parseCertificate(block.der), origin: 'public' }]);
        if (!entry || !table.has(entry.hash)) continue;
        expect(table.get(entry.hash), file).toBe(entry.name);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });
});

describe('root display names', () => {
  const cert = (subject: [string, string][]) => ({
    subject: subject.map(([shortName, value], rdnIndex) => ({ shortName, value, rdnIndex, oid: '', valueTag: 0x0c, valueBytes: new TextEncoder().encode(value) })),
    subjectText: subject.map(([k, v]) => `${k}=${v}`).join(', '),
  });
  it('use the common name, or the unit where the common name only repeats the organisation', () => {
    expect(rootDisplayName(cert([['C', 'IE'], ['O', 'Baltimore'], ['CN', 'Baltimore CyberTrust Root']]) )).toBe('Baltimore CyberTrust Root');
    expect(rootDisplayName(cert([['OU', 'GlobalSign Root CA - R2'], ['O', 'GlobalSign'], ['CN', 'GlobalSign']]) )).toBe('GlobalSign Root CA - R2');
    expect(rootDisplayName(cert([['C', 'US'], ['O', 'Equifax'], ['OU', 'Equifax Secure Certificate Authority']]) )).toBe('Equifax Secure Certificate Authority');
  });
});
