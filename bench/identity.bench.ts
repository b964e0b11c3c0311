/**
 * Benchmark: the PC-side cost of one per-board identity (RSA-2048 key generation + signing
 * the leaf), against `openssl genpkey` + `openssl req -x509 -CA` doing the same in the
 * same run, and as a share of one board's time under the simulator's timing model: both
 * sections read over the serial link for the backup and again for the read-back at 115200
 * baud, the modelled erase/program time, and the network part of a Wi-Fi run (association,
 * DHCP, one TLS handshake, two WINC starts — the provisioning bench's breakdown): target
 * under 5%. The share of the serial and flash part alone is printed too (the stricter view).
 * Also the critical-path latency with keys made ahead (RsaKeyPool), through the whole
 * identity desk: seal the held key, fsync the board record and the audit record.
 *
 * Run: npx tsx bench/identity.bench.ts [--identities 12]
 * The last stdout line is JSON: {"bench":"identity", ...}.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MIN_SCRYPT, PassphraseSealer } from '../src-main/app-data/passphrase-sealer.js';
import { CaSigner, compileTemplate, createStationCa, RsaKeyPool, wipe } from '../src-main/ca/index.js';
import { IdentityDesk } from '../src-main/identity/index.js';
import { REALISTIC_NETWORK_TIMINGS } from '../src-main/board/sim/timing-model.js';
import { REALISTIC_TIMINGS } from '../src-main/board/sim/winc-flash.js';
import { getFlashLayout } from '../src-main/store/flash-layout.js';
import { AuditLog } from '../src-main/station-files/audit-file.js';
import { CaFolder } from '../src-main/station-files/ca-folder.js';
import { IdentityFileStore } from '../src-main/station-files/identity-store.js';

const { values } = parseArgs({ options: { identities: { type: 'string', default: '12' } } });
const COUNT = Number(values.identities);
const BAUD = 115_200;
const BITS_PER_BYTE = 10;
const PAGE = 256;

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const uid = (n: number) => n.toString(16).padStart(32, '0');

/** One board's floor under the model: sections read twice over serial, erased and programmed once. */
function boardFloorMs(): number {
  const layout = getFlashLayout();
  const sectionBytes = layout.rootStore.size + layout.tlsStore.size;
  const wire = (2 * sectionBytes * BITS_PER_BYTE * 1000) / BAUD;
  const flash = (sectionBytes / layout.sectorSize) * REALISTIC_TIMINGS.eraseMsPerSector + (sectionBytes / PAGE) * REALISTIC_TIMINGS.programMsPerPage;
  return wire + flash;
}

/** The network part of one Wi-Fi run under the same model (what a real board spends most of its time on). */
function networkMs(): number {
  const t = REALISTIC_NETWORK_TIMINGS;
  return t.wifiAssociationMs + t.dhcpMs + t.tlsHandshakeMs + 2 * t.wincStartMs;
}

const work = mkdtempSync(join(tmpdir(), 'bench-identity-'));
try {
  const template = compileTemplate({ subject: 'CN=board-{uid}, O=Bench', subjectAltNames: ['URI:urn:bench:{uid}'] });
  const ca = await createStationCa({ subject: 'CN=Bench CA', keyType: 'rsa2048', validityDays: 365 });
  writeFileSync(join(work, 'ca.der'), ca.certificateDer);
  execFileSync('openssl', ['x509', '-inform', 'DER', '-in', join(work, 'ca.der'), '-out', join(work, 'ca.pem')]);
  writeFileSync(join(work, 'ca.key'), createPrivateKey({ key: Buffer.from(ca.keyPkcs8Der), format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const signer = CaSigner.open(ca, ca.keyPkcs8Der.slice());

  // Interleaved, so both see the same machine load.
  const ours: number[] = [];
  const openssl: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    let started = performance.now();
    const identity = await signer.issueDeviceIdentity({ template, values: { uid: uid(i) }, validityDays: 365 });
    ours.push(performance.now() - started);
    wipe(identity.keyPem);
    started = performance.now();
    execFileSync('openssl', ['genpkey', '-quiet', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(work, 'leaf.key')], { stdio: 'pipe' });
    execFileSync('openssl', ['req', '-x509', '-new', '-key', join(work, 'leaf.key'), '-CA', join(work, 'ca.pem'), '-CAkey', join(work, 'ca.key'), '-subj', `/CN=board-${uid(i)}/O=Bench`, '-days', '365', '-addext', 'extendedKeyUsage=clientAuth', '-out', join(work, 'leaf.pem')], { stdio: 'pipe' });
    openssl.push(performance.now() - started);
  }

  // The whole desk on the critical path, keys made ahead by the pool.
  const sealer = new PassphraseSealer('bench passphrase', { parameters: MIN_SCRYPT });
  const folder = await CaFolder.create(join(work, 'station-ca'), await createStationCa({ subject: 'CN=Bench station CA', keyType: 'rsa2048', validityDays: 365 }), sealer);
  const deskSigner = await folder.openSigner(sealer);
  const pool = new RsaKeyPool({ size: 2 });
  const audit = await AuditLog.open(join(work, 'audit.jsonl'));
  const desk = await IdentityDesk.open(
    {
      store: await IdentityFileStore.open(join(work, 'identities'), sealer),
      audit,
      issuer: { issueDeviceIdentity: async (request) => deskSigner.issueDeviceIdentity({ ...request, keyPair: await pool.take() }), reserveStationSerial: () => folder.reserveStationSerial(), countIdentityIssued: () => folder.countIdentityIssued() },
    },
    { template, validityDays: 365 },
  );
  const pooled: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    // A board's run lasts seconds; give the pool the time it has on a bench between boards.
    while (pool.available < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = performance.now();
    const identity = await desk.identityForBoard({ uid: uid(1000 + i) });
    pooled.push(performance.now() - started);
    wipe(identity.keyPem);
  }
  pool.close();
  await audit.close();

  const floor = boardFloorMs();
  const boardTime = floor + networkMs();
  const cost = median(ours);
  const result = {
    bench: 'identity',
    identities: COUNT,
    keygenAndSignMs: Number(cost.toFixed(1)),
    opensslMs: Number(median(openssl).toFixed(1)),
    versusOpenssl: Number((cost / median(openssl)).toFixed(3)),
    boardTimeMs: Math.round(boardTime),
    shareOfBoardTime: Number((cost / boardTime).toFixed(4)),
    boardFloorMs: Math.round(floor),
    shareOfBoardFloor: Number((cost / floor).toFixed(4)),
    pooledDeskMs: Number(median(pooled).toFixed(1)),
    pooledShareOfBoardFloor: Number((median(pooled) / floor).toFixed(4)),
  };
  console.log(`one identity (RSA-2048 keygen + sign): ${result.keygenAndSignMs} ms median of ${COUNT}; openssl genpkey + req -x509 -CA: ${result.opensslMs} ms -> ratio ${result.versusOpenssl}`);
  console.log(`share of one board's time (${result.boardTimeMs} ms under the timing model at ${BAUD} baud): ${(result.shareOfBoardTime * 100).toFixed(1)}% (target < 5%)`);
  console.log(`share of the serial and flash part alone (${result.boardFloorMs} ms): ${(result.shareOfBoardFloor * 100).toFixed(1)}%`);
  console.log(`with keys made ahead, the desk (sign + seal + fsync store and audit): ${result.pooledDeskMs} ms -> ${(result.pooledShareOfBoardFloor * 100).toFixed(2)}% of the floor`);
  console.log(JSON.stringify(result));
} finally {
  rmSync(work, { recursive: true, force: true });
}
