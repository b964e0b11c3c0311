import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeIntake, intakeView, type IntakeInput } from './index.js';

const DIR = '/etc/ssl/certs';
const BUNDLE = join(DIR, 'ca-certificates.crt');
const NOW = new Date('2026-06-01T00:00:00Z');

function systemRoots(): IntakeInput[] {
  return readdirSync(DIR)
    .filter((name) => name.endsWith('.pem'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(DIR, name))) }));
}

const available = (() => {
  try {
    return statSync(BUNDLE).isFile() && systemRoots().length > 20;
  } catch {
    return false;
  }
})();
if (!available) console.log(`System roots test skipped: no ${BUNDLE} with individual .pem files on this machine.`);

describe.runIf(available)('the real root CAs in /etc/ssl/certs', () => {
  const inputs = available ? systemRoots() : [];

  it('reads every root, classifies each as ROOT_CERT with a verified self-signature', () => {
    const result = analyzeIntake(inputs, { now: NOW });
    const certificates = result.items.filter((item) => item.type === 'certificate');
    expect(certificates.length).toBeGreaterThan(20);
    const unreadable = result.findings.filter((f) => ['CERT_MALFORMED', 'PEM_MALFORMED', 'UNRECOGNISED_CONTENT'].includes(f.code));
    expect(unreadable).toEqual([]);
    const distinct = certificates.filter((item) => !item.duplicateOf);
    for (const item of distinct) {
      const decision = result.classifications.find((c) => c.itemId === item.id)!;
      // Roots the module cannot hold (P-384, expired) are refused and left out of the plan.
      if (decision.refused) expect(result.plan.some((row) => row.itemId === item.id), item.source.fileName).toBe(false);
      else expect(decision.role, item.source.fileName).toBe('ROOT_CERT');
    }
    expect(distinct.filter((item) => !result.classifications.find((c) => c.itemId === item.id)!.refused).length).toBeGreaterThan(20);
    expect(result.findings.filter((f) => f.code === 'CHAIN_SIGNATURE_INVALID')).toEqual([]);
    expect(result.chains).toEqual([]);
    // Far more than 4 KiB of roots: the store cannot take them all.
    expect(result.findings.map((f) => f.code)).toContain('ROOT_STORE_FULL');
    // P-384 roots exist in every current bundle and are refused by the module.
    expect(result.findings.map((f) => f.code)).toContain('KEY_CURVE_UNSUPPORTED');
  });

  it('the one-file bundle gives the same certificates as the separate files', () => {
    const fromBundle = analyzeIntake([{ name: 'ca-certificates.crt', bytes: new Uint8Array(readFileSync(BUNDLE)) }], { now: NOW });
    const fromFiles = analyzeIntake(inputs, { now: NOW });
    const fingerprints = (items: typeof fromFiles.items) =>
      new Set(items.flatMap((item) => (item.type === 'certificate' && !item.duplicateOf ? [item.certificate.sha256Fingerprint] : [])));
    expect(fingerprints(fromBundle.items)).toEqual(fingerprints(fromFiles.items));
  });

  it('a handful of current RSA-2048 roots fits the store and is ready to provision', () => {
    const result = analyzeIntake(inputs, { now: NOW });
    const picked = result.items
      .filter((item) => item.type === 'certificate' && !item.duplicateOf)
      .filter((item) => item.type === 'certificate' && item.certificate.publicKey.kind === 'rsa' && item.certificate.publicKey.bits === 2048)
      .filter((item) => item.type === 'certificate' && item.certificate.notBefore < NOW && item.certificate.notAfter.getTime() > NOW.getTime() + 60 * 86400_000)
      .filter((item) => item.type === 'certificate' && item.certificate.signatureAlgorithm.hash === 'sha256')
      .slice(0, 10)
      .map((item) => inputs.find((input) => input.name === item.source.fileName)!);
    expect(picked.length).toBe(10);
    const small = analyzeIntake(picked, { now: NOW });
    expect(small.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(small.plan.map((p) => p.certType)).toEqual(Array(10).fill('ROOT_CERT'));
    expect(small.plan.map((p) => p.fileName)).toEqual(Array.from({ length: 10 }, (_, i) => `root${i + 1}.cer`));
    // 20-byte header + 10 entries of 44 + 256 + 4 bytes.
    expect(small.sections.find((s) => s.section === 'root-store')!.usedBytes).toBe(20 + 10 * 304);
    expect(intakeView(small).mainH).toContain('#define NUM_OF_ROOT_TLS_CHAIN_CERTIFICATES  10');
  });
});
