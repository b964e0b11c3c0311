/**
 * The station's identity pipeline without the serial link: a CA from `winc-cert ca init`,
 * an identity per board from the desk, the TLS section the store engine builds from it,
 * and a mutual-TLS proof made with exactly what that section holds (its RSA chain and
 * PRIV_ key, as the WINC presents them), recorded in an audit trail that
 * `winc-cert audit verify` passes.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { MIN_SCRYPT, PassphraseSealer } from '../app-data/passphrase-sealer.js';
import { compileTemplate, wipe } from '../ca/index.js';
import { createCaCommand } from '../cli/commands/ca.js';
import { runCli } from '../cli/winc-cert.js';
import { WINC_STOCK_CLIENT_CIPHER_LIST } from '../https-server/cipher-profile.js';
import { startProofServer } from '../https-server/proof-server.js';
import { readPrivateKey, type RsaPrivateKey } from '../keys/private-key.js';
import { getFlashLayout } from '../store/flash-layout.js';
import { planTlsStore } from '../store/tls-chain.js';
import { decodeTlsSection, encodeTlsSection } from '../store/tls-store.js';
import { parseCertificate } from '../x509/certificate.js';
import { AuditLog } from '../station-files/audit-file.js';
import { CaFolder } from '../station-files/ca-folder.js';
import { IdentityFileStore } from '../station-files/identity-store.js';
import { IdentityDesk } from './identity-desk.js';

const work = mkdtempSync(join(tmpdir(), 'winc-station-flow-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const LOOPBACK = { lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] };
const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/gu)!.join('\n')}\n-----END CERTIFICATE-----\n`;

/** What a WINC would present from its TLS store: the RSA chain's certificates and the PRIV_ key. */
function presentedIdentity(section: Uint8Array): { chain: Uint8Array[]; key: RsaPrivateKey } {
  const decoded = decodeTlsSection(section, getFlashLayout());
  const rsa = decoded.chains.find((chain) => chain.kind === 'rsa')!;
  return { chain: rsa.certificates.map((c) => c.certificate!.der), key: rsa.privateKey!.key! };
}

function keyObject(key: RsaPrivateKey) {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
  return createPrivateKey({ key: { kty: 'RSA', n: b64(key.n), e: b64(key.e), d: b64(key.d), p: b64(key.p), q: b64(key.q), dp: b64(key.dp), dq: b64(key.dq), qi: b64(key.qi) }, format: 'jwk' });
}

describe('a station provisioning three boards with their own identities', () => {
  it('issues, writes (modelled), proves over mutual TLS and audits each board; openssl verifies each certificate read back', async () => {
    const caDir = join(work, 'ca');
    const env = { CA_PASS: 'station passphrase' };
    const ca = createCaCommand({ secrets: () => ({ env, prompt: undefined }), hostname: () => 'bench', scrypt: MIN_SCRYPT });
    expect(await ca.run(['init', '--dir', caDir, '--subject', 'CN=Flow CA, O=Acme', '--passphrase-env', 'CA_PASS'], { stdout: () => {}, stderr: () => {} })).toBe(0);

    const sealer = new PassphraseSealer(env.CA_PASS, { parameters: MIN_SCRYPT });
    const folder = await CaFolder.open(caDir);
    const signer = await folder.openSigner(sealer);
    const store = await IdentityFileStore.open(join(work, 'identities'), sealer);
    const auditPath = join(work, 'audit.jsonl');
    const audit = await AuditLog.open(auditPath, { station: 'bench', operator: 'Ada' });
    const desk = await IdentityDesk.open(
      { store, audit, issuer: { issueDeviceIdentity: (r) => signer.issueDeviceIdentity(r), reserveStationSerial: () => folder.reserveStationSerial(), countIdentityIssued: () => folder.countIdentityIssued() } },
      { template: compileTemplate({ subject: 'CN=acme-{uid}, O=Acme', subjectAltNames: ['URI:urn:acme:device:{uid}'] }), validityDays: 825 },
    );
    const { privateKey: serverKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const serverCertificate = signer.issueServerCertificate({ key: serverKey, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const proof = await startProofServer({ host: '127.0.0.1', port: 0, identity: { key: serverKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certChain: serverCertificate.chainDer }, trustAnchor: folder.certificates, interfaces: LOOPBACK });

    const layout = getFlashLayout();
    const uids = ['0123456789abcdef0123456789abcd01', '0123456789abcdef0123456789abcd02', '0123456789abcdef0123456789abcd03'];
    try {
      for (const uid of uids) {
        const identity = await desk.identityForBoard({ uid, wincFirmware: '19.6.1' });
        const plan = planTlsStore(null, [{ certificates: identity.chainDer.map((der, i) => ({ label: `cert${i}`, cert: parseCertificate(der) })), key: { label: 'key', key: readPrivateKey(identity.keyPem) } }], layout);
        const section = encodeTlsSection(plan.files, layout);
        wipe(identity.keyPem);
        expect(identity.keyPem.every((byte) => byte === 0)).toBe(true);
        await desk.recordWritten(identity, { proofFollows: true, sections: { tls: createHash('sha256').update(section).digest('hex') } });

        // The board "re-initialises" and connects to the proof port with what its TLS store holds.
        const onBoard = presentedIdentity(section);
        const waiting = proof.waitForProof(identity.certSerial, { timeoutMs: 15_000 });
        const response = await new Promise<string>((resolve, reject) => {
          const socket = tlsConnect({ host: '127.0.0.1', port: proof.port, ca: pem(folder.certificates.certificateDer), servername: 'localhost', ciphers: WINC_STOCK_CLIENT_CIPHER_LIST, maxVersion: 'TLSv1.2', cert: onBoard.chain.map(pem).join(''), key: keyObject(onBoard.key).export({ type: 'pkcs1', format: 'pem' }) }, () => socket.end('GET / HTTP/1.0\r\n\r\n'));
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('error', reject);
          socket.on('close', () => resolve(text));
        });
        expect(response).toMatch(/^HTTP\/1\.1 200 OK/u);
        const attempt = await waiting;
        expect(attempt).toMatchObject({ verified: true, certSerial: identity.certSerial, certSha256: identity.certificateSha256 });
        await desk.recordProven(identity, { proofPeer: attempt.peer });

        // The certificate read back from the section verifies against the station CA and names the board.
        writeFileSync(join(work, 'leaf.pem'), pem(onBoard.chain[0]!));
        expect(execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', join(caDir, 'ca.pem'), join(work, 'leaf.pem')]).toString()).toContain(': OK');
        expect(parseCertificate(onBoard.chain[0]!).subjectText).toBe(`CN=acme-${uid}, O=Acme`);
      }
    } finally {
      await proof.stop();
      signer.close();
      await audit.close();
    }

    expect(desk.view().boards.proven).toBe(3);
    expect(folder.describe()).toMatchObject({ identitiesIssued: 3, nextStationSerial: 4 });
    let out = '';
    expect(await runCli(['audit', 'verify', auditPath], { stdout: (t) => void (out += t), stderr: () => {} })).toBe(0);
    expect(out).toMatch(/intact, 9 records/u);
    const text = readFileSync(auditPath, 'utf8');
    writeFileSync(join(work, 'tampered.jsonl'), text.replace('"event":"proven"', '"event":"failed"'));
    out = '';
    expect(await runCli(['audit', 'verify', join(work, 'tampered.jsonl')], { stdout: (t) => void (out += t), stderr: () => {} })).toBe(1);
    expect(out).toMatch(/BROKEN at line 3 /u);
  });
});
