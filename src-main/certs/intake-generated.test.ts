import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeIntake, intakeView, type IntakeInput, type IntakeOptions, type IntakeResult } from './index.js';
import { shuffled, TestPki, type MadeCert } from './test-pki.js';

let pki: TestPki;
const keys: Record<string, string> = {};
let NOW: Date;

beforeAll(() => {
  pki = new TestPki();
  for (let i = 0; i < 5; i++) keys[`r${i}`] = pki.key(`r${i}`, 'rsa2048');
  keys.big = pki.key('big', 'rsa4096');
  for (let i = 0; i < 3; i++) keys[`e${i}`] = pki.key(`e${i}`, 'p256');
  for (let i = 0; i < 2; i++) keys[`f${i}`] = pki.key(`f${i}`, 'p384');
  NOW = new Date(Date.now() + 24 * 3600 * 1000);
}, 60_000);

afterAll(() => pki?.cleanup());

const der = (cert: MadeCert, name = `${cert.name}.cer`): IntakeInput => ({ name, bytes: cert.der });
const pem = (cert: MadeCert, name = `${cert.name}.pem`): IntakeInput => ({ name, bytes: new TextEncoder().encode(cert.pem) });
const analyze = (inputs: IntakeInput[], options: Partial<IntakeOptions> = {}) => analyzeIntake(inputs, { now: NOW, ...options });
const codes = (result: IntakeResult) => result.findings.map((f) => f.code);
const errorCodes = (result: IntakeResult) => result.findings.filter((f) => f.severity === 'error').map((f) => f.code);
const roleOf = (result: IntakeResult, itemId: string) => result.classifications.find((c) => c.itemId === itemId)?.role;
const idOf = (result: IntakeResult, fileName: string) => result.items.find((item) => item.source.fileName === fileName)!.id;

describe('RSA chains of depth 1 to 4, given in shuffled order and as one bundle', () => {
  for (const depth of [1, 2, 3, 4]) {
    it(`depth ${depth}: orders leaf → root, counts numOfChainCert = ${depth}, plans key row then certificates`, () => {
      const chain = pki.chain(`rsa-d${depth}`, ['r0', 'r1', 'r2', 'r3'].map((k) => keys[k]!), depth);
      const keyInput: IntakeInput = { name: 'module.key', bytes: pki.keyAs(keys.r0!, 'pkcs1-pem') };
      const expected = chain.map((c) => `${c.name}.cer`);
      // Root first (reverse) and a shuffle: the input order must not matter.
      for (const files of [[...chain].reverse().map((c) => der(c)), shuffled(chain.map((c) => der(c)), depth * 7)]) {
        const result = analyze([...files, keyInput]);
        expect(errorCodes(result)).toEqual([]);
        expect(result.chains).toHaveLength(1);
        const [tls] = result.chains;
        expect(tls!.certType).toBe('TLS_RSA_CERT');
        expect(tls!.numOfChainCert).toBe(depth);
        expect(tls!.endsAtRoot).toBe(true);
        expect(tls!.order.map((id) => result.items.find((i) => i.id === id)!.source.fileName)).toEqual(expected);
        expect(result.plan.map((p) => [p.certType, p.numOfChainCert, p.secret])).toEqual([
          ['TLS_RSA_CERT', depth, true],
          ...expected.map(() => ['TLS_RSA_CERT', 0, false]),
        ]);
        expect(result.plan.map((p) => p.itemId)).toEqual([idOf(result, 'module.key'), ...tls!.order]);
        expect(result.ok).toBe(true);
      }
      // One PEM bundle with the certificates in a scrambled order.
      const bundle = new TextEncoder().encode(shuffled(chain, depth + 3).map((c) => c.pem).join('\n'));
      const fromBundle = analyze([{ name: 'bundle.pem', bytes: bundle }, keyInput]);
      expect(errorCodes(fromBundle)).toEqual([]);
      expect(fromBundle.chains[0]!.numOfChainCert).toBe(depth);
      expect(fromBundle.chains[0]!.order.map((id) => (fromBundle.items.find((i) => i.id === id) as { der: Uint8Array }).der)).toEqual(chain.map((c) => c.der));
    });
  }

  it('RSA-4096 module key is accepted and sized for the TLS store', () => {
    const root = pki.selfSigned('big-root', keys.r1!, { cn: 'Big Root' });
    const leaf = pki.issued('big-leaf', keys.big!, root, { cn: 'big module' });
    const result = analyze([der(root), der(leaf), { name: 'big.key', bytes: pki.keyAs(keys.big!, 'pkcs8-der') }]);
    expect(errorCodes(result)).toEqual([]);
    const keyItem = result.items.find((i) => i.type === 'private-key');
    expect(keyItem?.type === 'private-key' && keyItem.key.bits).toBe(4096);
    expect(result.plan[0]).toMatchObject({ certType: 'TLS_RSA_CERT', numOfChainCert: 2, fileName: 'server.key', secret: true });
    expect(new TextDecoder().decode(result.plan[0]!.bytes)).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const tls = result.sections.find((s) => s.section === 'tls-store')!;
    expect(tls.usedBytes).toBeGreaterThan(468 + leaf.der.length + root.der.length + 52 + 512);
    expect(tls.usedBytes).toBeLessThanOrEqual(8192);
  });
});

describe('ECDSA chains', () => {
  it('P-256 chain without a key becomes the TLS_ECC_CERT chain, count on its first row', () => {
    const chain = pki.chain('ec3', ['e0', 'e1', 'e2'].map((k) => keys[k]!), 3);
    const result = analyze(shuffled(chain.map((c) => der(c)), 5));
    expect(errorCodes(result)).toEqual([]);
    expect(result.chains).toHaveLength(1);
    expect(result.chains[0]).toMatchObject({ certType: 'TLS_ECC_CERT', numOfChainCert: 3, endsAtRoot: true });
    expect(result.plan.map((p) => [p.certType, p.numOfChainCert, p.fileName])).toEqual([
      ['TLS_ECC_CERT', 3, 'ecc.cer'],
      ['TLS_ECC_CERT', 0, 'ecc_ca1.cer'],
      ['TLS_ECC_CERT', 0, 'ecc_ca2.cer'],
    ]);
    expect(codes(result)).toContain('ECC_NEEDS_SECURE_ELEMENT');
  });

  it('a SEC1 EC key pairs with its certificate but is never planned', () => {
    const chain = pki.chain('ec2', [keys.e0!, keys.e1!], 2);
    const result = analyze([...chain.map((c) => der(c)), { name: 'ec.key', bytes: pki.keyAs(keys.e0!, 'sec1-pem') }]);
    expect(errorCodes(result)).toEqual([]);
    expect(codes(result)).toContain('EC_KEY_NOT_STORED');
    expect(result.plan.every((p) => !p.secret)).toBe(true);
    expect(result.plan[0]).toMatchObject({ certType: 'TLS_ECC_CERT', numOfChainCert: 2 });
    const key = result.items.find((i) => i.type === 'private-key')!;
    expect(key.type === 'private-key' && key.key.sourceFormat).toBe('sec1');
  });

  it('P-384 certificates are refused with KEY_CURVE_UNSUPPORTED', () => {
    const chain = pki.chain('p384', [keys.f0!, keys.f1!], 2);
    const result = analyze(chain.map((c) => der(c)));
    expect(errorCodes(result)).toContain('KEY_CURVE_UNSUPPORTED');
    expect(result.findings.filter((f) => f.code === 'KEY_CURVE_UNSUPPORTED')).toHaveLength(2);
    expect(result.ok).toBe(false);
  });

  it('a P-384 root offered for the root store is refused too', () => {
    const root = pki.selfSigned('p384-root', keys.f0!, { cn: 'P384 Root' });
    const result = analyze([der(root)]);
    // Refused, not planned: no "goes to the root store", no row in the plan, one finding.
    expect(result.classifications[0]).toMatchObject({ role: 'IGNORED', refused: true, reason: expect.stringMatching(/^Refused/) });
    expect(result.classifications[0]!.reason).not.toMatch(/goes to the root store/);
    expect(result.plan).toEqual([]);
    expect(errorCodes(result)).toEqual(['KEY_CURVE_UNSUPPORTED']);
    // Beside a usable root, only the usable one is planned and sized.
    const usable = pki.selfSigned('p384-beside', keys.r1!, { cn: 'RSA Root' });
    const both = analyze([der(root), der(usable)]);
    expect(both.plan.map((row) => row.itemId)).toEqual([idOf(both, 'p384-beside.cer')]);
    expect(both.sections.find((s) => s.section === 'root-store')!.files).toBe(1);
    expect(intakeView(both).items.find((item) => item.fileName === 'p384-root.cer')).toMatchObject({ refused: true, role: 'IGNORED' });
  });
});

describe('private key formats', () => {
  it.each(['pkcs1-pem', 'pkcs1-der', 'pkcs8-pem', 'pkcs8-der'] as const)('RSA key as %s matches its certificate', (form) => {
    const root = pki.selfSigned(`kf-${form}-root`, keys.r1!, { cn: 'KF Root' });
    const leaf = pki.issued(`kf-${form}-leaf`, keys.r0!, root);
    const result = analyze([der(leaf), der(root), { name: `module.${form.endsWith('der') ? 'der' : 'txt'}`, bytes: pki.keyAs(keys.r0!, form) }]);
    expect(errorCodes(result)).toEqual([]);
    const key = result.items.find((i) => i.type === 'private-key')!;
    expect(key.type === 'private-key' && key.key.sourceFormat).toBe(form.split('-')[0]);
    expect(result.chains[0]!.keyItemId).toBe(key.id);
  });

  it.each(['sec1-der', 'pkcs8-pem'] as const)('EC key as %s matches its certificate', (form) => {
    const leaf = pki.selfSigned(`kfe-${form}`, keys.e0!, { ca: false, san: 'DNS:m.example' });
    const result = analyze([der(leaf), { name: 'k.key', bytes: pki.keyAs(keys.e0!, form) }]);
    expect(result.chains[0]).toMatchObject({ certType: 'TLS_ECC_CERT', leafId: result.items[0]!.id });
    expect(codes(result)).toContain('EC_KEY_NOT_STORED');
  });

  it('PKCS#12 with the right password yields key and chain', () => {
    const chain = pki.chain('p12', [keys.r0!, keys.r1!], 2);
    const p12 = pki.pkcs12('p12', keys.r0!, chain, 'secret');
    const result = analyze([{ name: 'module.p12', bytes: p12, password: 'secret' }]);
    expect(errorCodes(result)).toEqual([]);
    expect(result.items.map((i) => [i.type, i.source.container])).toEqual([
      ['certificate', 'pkcs12'],
      ['certificate', 'pkcs12'],
      ['private-key', 'pkcs12'],
    ]);
    expect(result.plan.map((p) => [p.certType, p.numOfChainCert])).toEqual([
      ['TLS_RSA_CERT', 2],
      ['TLS_RSA_CERT', 0],
      ['TLS_RSA_CERT', 0],
    ]);
    // The certificate bytes come out of the container unchanged.
    expect(result.plan.slice(1).map((p) => p.bytes)).toEqual(chain.map((c) => c.der));
  });

  it('PKCS#12 holding an EC key and certificate (which node-forge cannot parse itself)', () => {
    const leaf = pki.selfSigned('p12ec', keys.e1!, { ca: false, san: 'DNS:m.example' });
    const result = analyze([{ name: 'ec.pfx', bytes: pki.pkcs12('p12ec', keys.e1!, [leaf], 'pw'), password: 'pw' }]);
    expect(errorCodes(result)).toEqual([]);
    expect(result.chains[0]).toMatchObject({ certType: 'TLS_ECC_CERT' });
    expect(result.items.find((i) => i.type === 'certificate')).toMatchObject({ der: leaf.der });
  });

  it('PKCS#12: wrong password, missing password, empty password', () => {
    const leaf = pki.selfSigned('p12pw', keys.r2!, { ca: false });
    const locked = pki.pkcs12('p12pw', keys.r2!, [leaf], 'right');
    expect(codes(analyze([{ name: 'a.p12', bytes: locked, password: 'wrong' }]))).toContain('P12_BAD_PASSWORD');
    expect(codes(analyze([{ name: 'a.p12', bytes: locked }]))).toContain('P12_PASSWORD_REQUIRED');
    const open = pki.pkcs12('p12open', keys.r2!, [leaf], '');
    const result = analyze([{ name: 'b.p12', bytes: open }]);
    expect(result.items).toHaveLength(2);
    expect(codes(result)).not.toContain('P12_PASSWORD_REQUIRED');
  });

  it('encrypted keys wait for their password with KEY_PASSWORD_REQUIRED (PKCS#8 PEM, PKCS#8 DER, legacy PEM)', () => {
    const pkcs8 = pki.openssl(['pkey', '-in', keys.r3!, '-aes-128-cbc', '-passout', 'pass:x']);
    const pkcs8Der = pki.openssl(['pkcs8', '-topk8', '-in', keys.r3!, '-outform', 'DER', '-passout', 'pass:x']);
    const legacy = pki.openssl(['rsa', '-in', keys.r3!, '-aes128', '-traditional', '-passout', 'pass:x']);
    expect(new TextDecoder().decode(legacy)).toContain('Proc-Type: 4,ENCRYPTED');
    for (const bytes of [pkcs8, pkcs8Der, legacy]) {
      expect(errorCodes(analyze([{ name: 'enc.key', bytes: new Uint8Array(bytes) }]))).toEqual(['KEY_PASSWORD_REQUIRED', 'NOTHING_TO_PROVISION']);
    }
  });

  it('an Ed25519 key is refused with KEY_TYPE_UNSUPPORTED', () => {
    pki.openssl(['genpkey', '-algorithm', 'ed25519', '-out', 'ed.key']);
    expect(errorCodes(analyze([{ name: 'ed.key', bytes: pki.read('ed.key') }]))).toEqual(['KEY_TYPE_UNSUPPORTED', 'NOTHING_TO_PROVISION']);
  });
});

describe('damaged and odd files', () => {
  let cert: MadeCert;
  beforeAll(() => {
    cert = pki.selfSigned('damage', keys.r4!, { cn: 'Damage Root' });
  });

  it('empty and whitespace-only files: FILE_EMPTY', () => {
    expect(errorCodes(analyze([{ name: 'empty.cer', bytes: new Uint8Array() }]))).toContain('FILE_EMPTY');
    expect(errorCodes(analyze([{ name: 'blank.pem', bytes: new TextEncoder().encode(' \n\n') }]))).toContain('FILE_EMPTY');
  });

  it('truncated DER certificate: CERT_MALFORMED', () => {
    const result = analyze([{ name: 'cut.cer', bytes: cert.der.subarray(0, cert.der.length >> 1) }]);
    expect(errorCodes(result)).toEqual(['CERT_MALFORMED', 'NOTHING_TO_PROVISION']);
    expect(result.findings[0]!.fileNames).toEqual(['cut.cer']);
  });

  it('truncated PEM (no END line): PEM_MALFORMED', () => {
    expect(errorCodes(analyze([{ name: 'cut.pem', bytes: new TextEncoder().encode(cert.pem.slice(0, 300)) }]))).toContain('PEM_MALFORMED');
  });

  it('PEM with damaged base64: PEM_MALFORMED', () => {
    const broken = cert.pem.replace(/\n([A-Za-z0-9+/]{10})/, '\n!!$1');
    expect(errorCodes(analyze([{ name: 'bad64.pem', bytes: new TextEncoder().encode(broken) }]))).toContain('PEM_MALFORMED');
  });

  it('PEM whose body decodes to a truncated certificate: CERT_MALFORMED', () => {
    const body = Buffer.from(cert.der.subarray(0, 200)).toString('base64');
    const text = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
    expect(errorCodes(analyze([{ name: 'short.pem', bytes: new TextEncoder().encode(text) }]))).toContain('CERT_MALFORMED');
  });

  it('corrupted signature bytes: the certificate reads but CHAIN_SIGNATURE_INVALID', () => {
    const bytes = cert.der.slice();
    bytes[bytes.length - 5]! ^= 0xff;
    const result = analyze([{ name: 'flipped.cer', bytes }]);
    expect(errorCodes(result)).toEqual(['CHAIN_SIGNATURE_INVALID']);
  });

  it('random binary: UNRECOGNISED_CONTENT; a text file: NO_CERTIFICATE_MATERIAL (info)', () => {
    const noise = new Uint8Array(300).map((_, i) => (i * 73 + 11) & 0xff);
    expect(errorCodes(analyze([{ name: 'noise.bin', bytes: noise }]))).toContain('UNRECOGNISED_CONTENT');
    const text = analyze([{ name: 'notes.txt', bytes: new TextEncoder().encode('just some notes\n') }, der(cert)]);
    expect(text.findings.find((f) => f.code === 'NO_CERTIFICATE_MATERIAL')?.severity).toBe('info');
    expect(text.ok).toBe(true);
  });

  it('truncated keys and PKCS#12: KEY_MALFORMED / P12_MALFORMED', () => {
    const keyDer = pki.keyAs(keys.r4!, 'pkcs1-der');
    expect(errorCodes(analyze([{ name: 'cut.key', bytes: keyDer.subarray(0, 400) }]))).toContain('KEY_MALFORMED');
    const p8 = pki.keyAs(keys.r4!, 'pkcs8-der');
    expect(errorCodes(analyze([{ name: 'cut8.key', bytes: p8.subarray(0, 400) }]))).toContain('KEY_MALFORMED');
    const p12 = pki.pkcs12('cutp12', keys.r4!, [cert], 'pw');
    expect(errorCodes(analyze([{ name: 'cut.p12', bytes: p12.subarray(0, 600), password: 'pw' }]))).toContain('P12_MALFORMED');
  });

  it('PKCS#7 bundles: CONTAINER_UNSUPPORTED; CSRs and EC parameters are left out (info)', () => {
    const p7 = pki.openssl(['crl2pkcs7', '-nocrl', '-certfile', cert.certPath]);
    expect(errorCodes(analyze([{ name: 'certs.p7b', bytes: new Uint8Array(p7) }]))).toContain('CONTAINER_UNSUPPORTED');
    const csr = pki.openssl(['req', '-new', '-key', keys.r4!, '-subj', '/CN=x']);
    const result = analyze([{ name: 'req.csr', bytes: new Uint8Array(csr) }, der(cert)]);
    expect(result.findings.map((f) => [f.code, f.severity])).toContainEqual(['PEM_BLOCK_IGNORED', 'info']);
    const ecWithParams = pki.openssl(['ecparam', '-name', 'prime256v1', '-genkey']);
    const ec = analyze([{ name: 'ec-with-params.pem', bytes: new Uint8Array(ecWithParams) }]);
    expect(ec.items.filter((i) => i.type === 'private-key')).toHaveLength(1);
  });

  it('the same certificate twice: DUPLICATE_FILE and one plan row', () => {
    const result = analyze([der(cert, 'a.cer'), pem(cert, 'b.pem')]);
    expect(codes(result)).toContain('DUPLICATE_FILE');
    expect(result.plan).toHaveLength(1);
    expect(result.items[1]!.duplicateOf).toBe(result.items[0]!.id);
    expect(result.items[1]!.id).not.toBe(result.items[0]!.id);
  });

  it('ids are stable across runs and input order', () => {
    const chain = pki.chain('ids', [keys.r0!, keys.r1!], 2);
    const a = analyze(chain.map((c) => der(c)));
    const b = analyze([...chain].reverse().map((c) => der(c)));
    expect(new Set(a.items.map((i) => i.id))).toEqual(new Set(b.items.map((i) => i.id)));
  });
});

describe('keys, leaves and chains that do not fit together', () => {
  it('a key that matches nothing: KEY_WITHOUT_CERTIFICATE', () => {
    const root = pki.selfSigned('lonely-root', keys.r1!, { cn: 'Lonely Root' });
    const result = analyze([der(root), { name: 'stray.key', bytes: pki.keyAs(keys.r4!, 'pkcs8-pem') }]);
    expect(errorCodes(result)).toEqual(['KEY_WITHOUT_CERTIFICATE']);
    expect(result.plan.map((p) => p.certType)).toEqual(['ROOT_CERT']);
  });

  it('the wrong key next to a module certificate: KEY_MISMATCH', () => {
    const chain = pki.chain('mismatch', [keys.r0!, keys.r1!], 2);
    const result = analyze([...chain.map((c) => der(c)), { name: 'wrong.key', bytes: pki.keyAs(keys.r4!, 'pkcs1-pem') }]);
    expect(errorCodes(result)).toEqual(['KEY_MISMATCH']);
    expect(result.chains[0]).toMatchObject({ certType: 'TLS_RSA_CERT', numOfChainCert: 2 });
  });

  it('a server leaf alone offered as a root: LEAF_AS_ROOT', () => {
    const root = pki.selfSigned('leafroot-ca', keys.r1!, { cn: 'Leaf Root CA' });
    const leaf = pki.issued('leafroot-leaf', keys.r2!, root, { cn: 'server.example' });
    const alone = analyze([der(leaf)]);
    expect(errorCodes(alone)).toEqual(['LEAF_AS_ROOT']);
    // With its root present, only the root is stored and the leaf is explained away.
    const withRoot = analyze([der(leaf), der(root)]);
    expect(errorCodes(withRoot)).toEqual([]);
    expect(roleOf(withRoot, idOf(withRoot, 'leafroot-leaf.cer'))).toBe('IGNORED');
    expect(codes(withRoot)).toContain('CERT_NOT_NEEDED');
    expect(withRoot.plan.map((p) => p.fileName)).toEqual(['root.cer']);
  });

  it('an intermediate CA as root: ROOT_NOT_SELF_SIGNED warning', () => {
    const chain = pki.chain('int-only', [keys.r0!, keys.r1!, keys.r2!], 3);
    const result = analyze([der(chain[1]!)]);
    expect(codes(result)).toEqual(['ROOT_NOT_SELF_SIGNED']);
    expect(result.ok).toBe(true);
  });

  it('two keys with two leaves: CHAIN_TWO_LEAVES', () => {
    const root = pki.selfSigned('two-root', keys.r3!, { cn: 'Two Root' });
    const a = pki.issued('two-a', keys.r0!, root);
    const b = pki.issued('two-b', keys.r1!, root);
    const result = analyze([der(a), der(b), der(root), { name: 'a.key', bytes: pki.keyAs(keys.r0!, 'pkcs8-pem') }, { name: 'b.key', bytes: pki.keyAs(keys.r1!, 'pkcs8-pem') }]);
    expect(errorCodes(result)).toContain('CHAIN_TWO_LEAVES');
    expect(result.chains).toHaveLength(1);
  });

  it('two ECDSA end-entity certificates: CHAIN_TWO_LEAVES', () => {
    const root = pki.selfSigned('two-ec-root', keys.e2!, { cn: 'Two EC Root' });
    const result = analyze([der(pki.issued('two-ec-a', keys.e0!, root)), der(pki.issued('two-ec-b', keys.e1!, root)), der(root)]);
    expect(errorCodes(result)).toEqual(['CHAIN_TWO_LEAVES']);
  });

  it('a missing intermediate: CHAIN_GAP', () => {
    const chain = pki.chain('gap', [keys.r0!, keys.r1!, keys.r2!], 3);
    const result = analyze([der(chain[0]!), der(chain[2]!), { name: 'm.key', bytes: pki.keyAs(keys.r0!, 'pkcs1-pem') }]);
    expect(codes(result)).toContain('CHAIN_GAP');
    expect(result.chains[0]).toMatchObject({ numOfChainCert: 1, endsAtRoot: false });
  });

  it('cross-signed CAs issuing each other: CHAIN_LOOP', () => {
    const a = pki.selfSigned('loop-a-self', keys.r0!, { cn: 'Loop A' });
    const b = pki.selfSigned('loop-b-self', keys.r1!, { cn: 'Loop B' });
    const aByB = pki.issued('loop-a', keys.r0!, b, { ca: true, cn: 'Loop A' });
    const bByA = pki.issued('loop-b', keys.r1!, a, { ca: true, cn: 'Loop B' });
    const result = analyze([der(aByB), der(bByA)]);
    expect(errorCodes(result)).toContain('CHAIN_LOOP');
  });

  it('an issuer with the right name but another key: CHAIN_SIGNATURE_INVALID', () => {
    const realCa = pki.selfSigned('sig-real', keys.r1!, { cn: 'Same Name CA' });
    const fakeCa = pki.selfSigned('sig-fake', keys.r2!, { cn: 'Same Name CA' });
    const leaf = pki.issued('sig-leaf', keys.r0!, realCa);
    const result = analyze([der(leaf), der(fakeCa), { name: 'k.key', bytes: pki.keyAs(keys.r0!, 'pkcs1-pem') }]);
    expect(errorCodes(result)).toContain('CHAIN_SIGNATURE_INVALID');
    // Both CAs as roots: same name, one entry per name in the store.
    expect(codes(analyze([der(realCa), der(fakeCa)]))).toContain('ROOT_NAME_CLASH');
  });
});

describe('user order, validity, algorithms, names and sizes', () => {
  it('a user order is validated and the computed order can be restored', () => {
    const chain = pki.chain('order', [keys.r0!, keys.r1!, keys.r2!], 3);
    const inputs = [...chain.map((c) => der(c)), { name: 'k.key', bytes: pki.keyAs(keys.r0!, 'pkcs1-pem') }];
    const first = analyze(inputs);
    const { id, computedOrder } = first.chains[0]!;
    const reversed = [...computedOrder].reverse();
    const wrong = analyze(inputs, { chainOrders: { [id]: reversed } });
    expect(errorCodes(wrong)).toEqual(['CHAIN_ORDER_WRONG']);
    expect(wrong.chains[0]!.order).toEqual(reversed);
    expect(wrong.chains[0]!.computedOrder).toEqual(computedOrder);
    expect(wrong.plan.slice(1).map((p) => p.itemId)).toEqual(reversed);
    const restored = analyze(inputs, { chainOrders: { [id]: wrong.chains[0]!.computedOrder } });
    expect(errorCodes(restored)).toEqual([]);
    const invalid = analyze(inputs, { chainOrders: { [id]: computedOrder.slice(1) } });
    expect(errorCodes(invalid)).toEqual(['CHAIN_ORDER_INVALID']);
    expect(invalid.chains[0]!.order).toEqual(computedOrder);
  });

  it('user roles: leave an item out, put a certificate in the root store', () => {
    const ecChain = pki.chain('roles-ec', [keys.e0!, keys.e1!], 2);
    const byDefault = analyze(ecChain.map((c) => der(c)));
    expect(byDefault.chains[0]?.certType).toBe('TLS_ECC_CERT');
    // A remote server's ECDSA chain: leave the leaf out and only its root is stored.
    const leafId = idOf(byDefault, 'roles-ec-leaf.cer');
    const rootOnly = analyze(ecChain.map((c) => der(c)), { roles: { [leafId]: 'IGNORED' } });
    expect(rootOnly.chains).toEqual([]);
    expect(rootOnly.plan.map((p) => [p.certType, p.itemId])).toEqual([['ROOT_CERT', idOf(rootOnly, 'roles-ec-root.cer')]]);
    expect(rootOnly.classifications.find((c) => c.itemId === leafId)).toMatchObject({ role: 'IGNORED', reason: 'You chose to leave this out.' });

    // The module's CA also trusted for servers: it appears as a root row and in the chain.
    const rsaChain = pki.chain('roles-rsa', [keys.r0!, keys.r1!], 2);
    const inputs = [...rsaChain.map((c) => der(c)), { name: 'k.key', bytes: pki.keyAs(keys.r0!, 'pkcs1-pem') }];
    const caId = idOf(analyze(inputs), 'roles-rsa-root.cer');
    const both = analyze(inputs, { roles: { [caId]: 'ROOT_CERT' } });
    expect(errorCodes(both)).toEqual([]);
    expect(both.plan.map((p) => [p.certType, p.numOfChainCert, p.fileName])).toEqual([
      ['ROOT_CERT', 0, 'root.cer'],
      ['TLS_RSA_CERT', 2, 'server.key'],
      ['TLS_RSA_CERT', 0, 'server.cer'],
      ['TLS_RSA_CERT', 0, 'ca.cer'],
    ]);

    // A key whose certificate the user put in the root store is simply not used.
    const leafId2 = idOf(analyze(inputs), 'roles-rsa-leaf.cer');
    const keyUnused = analyze(inputs, { roles: { [leafId2]: 'ROOT_CERT' } });
    expect(keyUnused.classifications.map((c) => c.role).sort()).toEqual(['IGNORED', 'ROOT_CERT', 'ROOT_CERT']);
    expect(keyUnused.plan.every((p) => !p.secret)).toBe(true);

    // Forcing a server leaf into the root store is still reported.
    const leafAsRoot = analyze(rsaChain.map((c) => der(c)), { roles: { [idOf(analyze(inputs), 'roles-rsa-leaf.cer')]: 'ROOT_CERT' } });
    expect(errorCodes(leafAsRoot)).toEqual(['LEAF_AS_ROOT']);
  });

  it('expired, not yet valid, expiring soon', () => {
    const root = pki.selfSigned('time-root', keys.r1!, { cn: 'Time Root', days: 40 });
    expect(errorCodes(analyze([der(root)], { now: new Date(Date.now() + 100 * 86400_000) }))).toEqual(['CERT_EXPIRED']);
    expect(codes(analyze([der(root)], { now: new Date(Date.now() - 86400_000) }))).toEqual(['CERT_NOT_YET_VALID']);
    expect(codes(analyze([der(root)], { now: new Date(Date.now() + 20 * 86400_000) }))).toEqual(['CERT_EXPIRES_SOON']);
  });

  it('SHA-1 and MD5 signatures in the module chain', () => {
    const root = pki.selfSigned('hash-root', keys.r1!, { cn: 'Hash Root' });
    const sha1 = pki.issued('hash-sha1', keys.r0!, root, { digest: 'sha1' });
    const md5 = pki.issued('hash-md5', keys.r0!, root, { digest: 'md5' });
    const key = { name: 'k.key', bytes: pki.keyAs(keys.r0!, 'pkcs1-pem') };
    expect(codes(analyze([der(sha1), der(root), key]))).toEqual(['SIGNATURE_SHA1']);
    expect(errorCodes(analyze([der(md5), der(root), key]))).toEqual(['SIGNATURE_MD5']);
    // A root's own signature is never checked by the module: no finding for a SHA-1 root.
    expect(codes(analyze([der(pki.selfSigned('sha1-root', keys.r1!, { digest: 'sha1' }))]))).toEqual([]);
  });

  it('self-signed server certificate and the server address', () => {
    const server = pki.selfSigned('https-server', keys.r2!, { ca: false, cn: 'files.example.com', san: 'DNS:files.example.com,IP:10.0.0.5' });
    expect(codes(analyze([der(server)], { serverAddress: '192.168.1.10' }))).toEqual(['SERVER_NAME_MISMATCH']);
    expect(codes(analyze([der(server)], { serverAddress: '10.0.0.5' }))).toEqual([]);
    expect(codes(analyze([der(server)], { serverAddress: 'FILES.example.com' }))).toEqual([]);
    // A real CA is not a server certificate: no name check.
    expect(codes(analyze([der(pki.selfSigned('plain-ca', keys.r3!, { cn: 'Plain Root CA' }))], { serverAddress: '192.168.1.10' }))).toEqual([]);
  });

  it('multi-valued RDN names are refused', () => {
    const root = pki.selfSigned('mv', keys.r1!, { subject: '/CN=Multi+O=Valued', multiRdn: true });
    expect(errorCodes(analyze([der(root)]))).toEqual(['NAME_MULTI_VALUED_RDN']);
  });

  it('a certificate bigger than the TLS store: CERT_TOO_LARGE and TLS_STORE_FULL', () => {
    const root = pki.selfSigned('huge-root', keys.r1!, { cn: 'Huge Root' });
    const san = Array.from({ length: 400 }, (_, i) => `DNS:host-${i}.a-rather-long-domain-name.example.com`).join(',');
    const leaf = pki.issued('huge-leaf', keys.r0!, root, { san });
    expect(leaf.der.length).toBeGreaterThan(8192);
    const result = analyze([der(leaf), der(root), { name: 'k.key', bytes: pki.keyAs(keys.r0!, 'pkcs1-pem') }]);
    expect(errorCodes(result)).toEqual(expect.arrayContaining(['CERT_TOO_LARGE', 'TLS_STORE_FULL']));
    expect(codes(result)).toContain('EXAMPLE_BUFFER_EXCEEDED');
  });

  it('weak RSA keys, RSA-PSS signatures, over-long serial numbers, too many TLS files', () => {
    pki.openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'weak.key']);
    expect(codes(analyze([der(pki.selfSigned('weak-root', 'weak.key', { cn: 'Weak Root' }))]))).toEqual(['KEY_RSA_WEAK']);

    const root = pki.selfSigned('misc-root', keys.r1!, { cn: 'Misc Root' });
    const key = { name: 'k.key', bytes: pki.keyAs(keys.r0!, 'pkcs1-pem') };
    const pss = pki.issued('pss-leaf', keys.r0!, root, { pss: true });
    expect(errorCodes(analyze([der(pss), der(root), key]))).toEqual(['SIGNATURE_ALGORITHM_UNSUPPORTED']);

    const longSerial = pki.issued('long-serial', keys.r0!, root, { serial: '0x7f112233445566778899aabbccddeeff00112233445566' });
    expect(errorCodes(analyze([der(longSerial), der(root), key]))).toEqual(['TLS_FILE_NAME_TOO_LONG']);

    const deep = pki.chain('deep', [keys.r0!, keys.r1!, keys.r2!, keys.r3!, keys.r4!, keys.e0!, keys.e1!], 7);
    const result = analyze([...deep.map((c) => der(c)), key]);
    expect(result.chains[0]!.numOfChainCert).toBe(7);
    expect(errorCodes(result)).toEqual(['TLS_STORE_TOO_MANY_FILES']);
  });

  it('firmware: 19.4 stores no ECDSA roots; 19.7.10 warns about its validation bypass; unknown versions throw', () => {
    const ecRoot = pki.selfSigned('fw-ec-root', keys.e2!, { cn: 'EC Root' });
    expect(errorCodes(analyze([der(ecRoot)], { firmware: '19.4' }))).toEqual(['KEY_ALGORITHM_UNSUPPORTED']);
    expect(errorCodes(analyze([der(ecRoot)], { firmware: '19.6.1' }))).toEqual([]);
    expect(codes(analyze([der(ecRoot)], { firmware: '19.7.10' }))).toEqual(['FIRMWARE_SELF_SIGNED_BYPASS']);
    expect(() => analyze([der(ecRoot)], { firmware: '20.1' })).toThrow(expect.objectContaining({ code: 'LAYOUT_UNKNOWN_FIRMWARE' }));
  });

  it('nothing usable: NOTHING_TO_PROVISION', () => {
    expect(errorCodes(analyze([{ name: 'README.md', bytes: new TextEncoder().encode('# hello\n') }]))).toEqual(['NOTHING_TO_PROVISION']);
  });

  it('the renderer view never carries key material or raw bytes', () => {
    const chain = pki.chain('view', [keys.r0!, keys.r1!], 2);
    const keyPem = pki.keyAs(keys.r0!, 'pkcs1-pem');
    const result = analyze([...chain.map((c) => der(c)), { name: 'k.key', bytes: keyPem }]);
    const json = JSON.stringify(intakeView(result));
    const keyBody = new TextDecoder().decode(keyPem).split('\n')[3]!;
    expect(keyBody.length).toBeGreaterThan(40);
    expect(json).not.toContain(keyBody);
    expect(json).not.toContain('PRIVATE KEY');
    expect(json).not.toContain(Buffer.from(chain[0]!.der.subarray(0, 60)).toString('base64'));
    expect(intakeView(result).plan[0]).toMatchObject({ secret: true, fileName: 'server.key' });
    expect(intakeView(result).plan[0]).not.toHaveProperty('bytes');
    // The main process copy does hold the PEM key to serve.
    expect(new TextDecoder().decode(result.plan[0]!.bytes)).toContain(keyBody);
  });
});
