import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CaSigner, compileTemplate, createStationCa, type IssuedDeviceIdentity } from '../ca/index.js';
import { applyJobToSections } from '../flash-map/apply-plan.js';
import { getFlashLayout } from '../store/flash-layout.js';
import { decodeTlsSection } from '../store/tls-store.js';
import { Workspace } from '../workspace/workspace.js';
import { IDENTITY_FILES, planWithIdentity } from './identity-plan.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'assets', 'samples');
const layout = getFlashLayout();
let identity: IssuedDeviceIdentity;

async function planOf(names: string[]) {
  const workspace = new Workspace({ now: () => new Date(), firmware: () => '19.6', serverAddress: () => undefined });
  await workspace.add(names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(SAMPLES, name))) })));
  return workspace.analyze().plan;
}

beforeAll(async () => {
  const ca = await createStationCa({ subject: 'CN=Plan CA', keyType: 'rsa2048', validityDays: 30 });
  const signer = CaSigner.open(ca, ca.keyPkcs8Der.slice());
  identity = await signer.issueDeviceIdentity({ template: compileTemplate({ subject: 'CN=board-{uid}' }), values: { uid: 'ab'.repeat(16) }, validityDays: 30 });
});

describe("a board's plan with its own identity", () => {
  it("replaces the plan's RSA key and chain by the board's, keeping the roots, in certFileInfo order", async () => {
    const plan = await planOf(readdirSync(SAMPLES).filter((name) => /\.(cer|key)$/u.test(name)));
    expect(plan.filter((entry) => entry.certType === 'TLS_RSA_CERT')).toHaveLength(3);
    const board = planWithIdentity(plan, { certSerial: identity.serialHex, subject: identity.subject, chainDer: identity.chainDer, keyPem: identity.keyPem });
    expect(board.map((entry) => [entry.certType, entry.numOfChainCert, entry.fileName])).toEqual([
      ['ROOT_CERT', 0, 'root1.cer'],
      ['ROOT_CERT', 0, 'root2.cer'],
      ['TLS_RSA_CERT', 2, IDENTITY_FILES.key],
      ['TLS_RSA_CERT', 0, IDENTITY_FILES.leaf],
      ['TLS_RSA_CERT', 0, 'device_ca.cer'],
    ]);
    expect(board.map((entry) => entry.index)).toEqual([0, 1, 2, 3, 4]);
    // The key row shares the identity's bytes: wiping the identity wipes the plan's copy.
    expect(board[2]!.bytes).toBe(identity.keyPem);
    expect(board[2]!.secret).toBe(true);

    // What the board writes from this plan holds exactly this identity as its RSA chain.
    const sections = applyJobToSections(null, board, layout);
    const rsa = decodeTlsSection(sections.tls, layout).chains.find((chain) => chain.kind === 'rsa')!;
    expect(rsa.certificates.map((entry) => Buffer.from(entry.certificate!.der).toString('hex'))).toEqual(identity.chainDer.map((der) => Buffer.from(der).toString('hex')));
  });

  it('adds the identity after the roots when the plan has no RSA chain, and alone when the plan is empty', async () => {
    const roots = await planOf(['root_a.cer', 'root_b.cer']);
    const withIdentity = planWithIdentity(roots, { certSerial: identity.serialHex, subject: identity.subject, chainDer: identity.chainDer, keyPem: identity.keyPem });
    expect(withIdentity.map((entry) => entry.certType)).toEqual(['ROOT_CERT', 'ROOT_CERT', 'TLS_RSA_CERT', 'TLS_RSA_CERT', 'TLS_RSA_CERT']);
    expect(planWithIdentity([], { certSerial: identity.serialHex, subject: identity.subject, chainDer: identity.chainDer, keyPem: identity.keyPem }).map((entry) => entry.fileName)).toEqual([
      'device.key',
      'device.cer',
      'device_ca.cer',
    ]);
  });

  it('refuses an identity without its CA certificate', () => {
    expect(() => planWithIdentity([], { certSerial: '01', subject: 'CN=x', chainDer: [identity.certificateDer], keyPem: new Uint8Array(1) })).toThrow(/chain/u);
  });
});
