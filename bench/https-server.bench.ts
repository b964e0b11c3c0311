/**
 * Benchmark: full TLS 1.2 handshakes + one file fetch per second against the
 * embedded HTTPS file server, beside `openssl s_server -WWW` serving the same
 * file with the same certificate and cipher preference, measured in the same
 * run on loopback. Reports ratios (ours / openssl), not absolutes.
 *
 * Run: npx tsx bench/https-server.bench.ts [--duration-ms 2500] [--levels 1,8,64]
 * The last stdout line is JSON: {"bench":"https-server", ...}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SERVER_CIPHER_LIST, WINC_STOCK_CLIENT_CIPHER_LIST } from '../src-main/https-server/cipher-profile.js';
import { startHttpsFileServer } from '../src-main/https-server/file-server.js';
import { createSelfSignedIdentity } from '../src-main/https-server/identity.js';

const HOST = '127.0.0.1';
const FILE_NAME = 'root_ca.der';
const MAX_OPERATIONS_PER_RUN = 2000;
const CONNECT_TIMEOUT_MS = 10_000;
const SLICES = 4;

const { values } = parseArgs({
  options: {
    'serve-child': { type: 'string' },
    'duration-ms': { type: 'string', default: '2500' },
    levels: { type: 'string', default: '1,8,64' },
  },
});

if (values['serve-child']) await serveChild(values['serve-child']);
else await main();

/** Child mode: run our server on an ephemeral port and print it. */
async function serveChild(dir: string): Promise<void> {
  const server = await startHttpsFileServer({
    host: HOST,
    port: 0,
    identity: { keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), certPem: readFileSync(join(dir, 'cert.pem'), 'utf8') },
    files: [{ name: FILE_NAME, bytes: new Uint8Array(readFileSync(join(dir, FILE_NAME))) }],
    // Every bench client is 127.0.0.1: lift the per-address share so throughput, not fairness, is measured.
    limits: { maxConnectionsPerClient: 1024 },
  });
  process.stdout.write(`READY ${server.port}\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.resume();
  process.stdin.on('end', stop);
}

interface RunResult {
  ok: number;
  errors: number;
  seconds: number;
  perSecond: number;
  cipher: string;
}

async function main(): Promise<void> {
  const durationMs = Number(values['duration-ms']);
  const levels = (values.levels ?? '1,8,64').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'winc-https-bench-'));
  const children: ChildProcess[] = [];
  const cleanup = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  try {
    const identity = await createSelfSignedIdentity({ hostname: 'bench', ipAddresses: [] });
    const fileBytes = randomBytes(1187); // the size of a typical RSA-2048 root certificate
    writeFileSync(join(dir, 'key.pem'), identity.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'cert.pem'), identity.certPem);
    writeFileSync(join(dir, FILE_NAME), fileBytes);

    const ours = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve-child', dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(ours);
    const oursPort = await readyPort(ours);

    const opensslPort = await freePort();
    const openssl = spawn(
      'openssl',
      ['s_server', '-accept', `${HOST}:${opensslPort}`, '-WWW', '-key', 'key.pem', '-cert', 'cert.pem', '-tls1_2', '-cipher', SERVER_CIPHER_LIST, '-serverpref', '-quiet'],
      { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] },
    );
    children.push(openssl);
    await waitForPort(opensslPort);

    const targets = { ours: oursPort, openssl: opensslPort };
    // Warm-up (JIT, page cache, first-connection costs) is not measured.
    for (const port of Object.values(targets)) await measure(port, 4, 500, identity.certPem, fileBytes);
    const results: Array<{ concurrency: number; ours: RunResult; openssl: RunResult; ratio: number }> = [];
    console.log(`https-server bench: ${durationMs} ms per server and level in ${SLICES} interleaved slices (max ${MAX_OPERATIONS_PER_RUN} fetches per slice), client cipher list ${WINC_STOCK_CLIENT_CIPHER_LIST}`);
    console.log('concurrency  ours/s   openssl/s  ratio  suite (ours | openssl)  errors (ours | openssl)');
    for (const concurrency of levels) {
      // Interleaved slices, alternating which server goes first, so a burst of
      // load from other processes on the machine hits both about equally.
      const measured: Record<'ours' | 'openssl', RunResult> = { ours: emptyResult(), openssl: emptyResult() };
      for (let slice = 0; slice < SLICES; slice += 1) {
        const order = slice % 2 === 0 ? (['ours', 'openssl'] as const) : (['openssl', 'ours'] as const);
        for (const which of order) {
          const part = await measure(targets[which], concurrency, durationMs / SLICES, identity.certPem, fileBytes);
          measured[which] = combine(measured[which], part);
        }
      }
      const oursResult = measured.ours;
      const opensslResult = measured.openssl;
      const ratio = opensslResult.perSecond > 0 ? oursResult.perSecond / opensslResult.perSecond : 0;
      results.push({ concurrency, ours: oursResult, openssl: opensslResult, ratio });
      console.log(
        `${String(concurrency).padStart(11)}  ${oursResult.perSecond.toFixed(1).padStart(6)}  ${opensslResult.perSecond.toFixed(1).padStart(10)}  ${ratio.toFixed(2).padStart(5)}  ${oursResult.cipher} | ${opensslResult.cipher}  ${oursResult.errors} | ${opensslResult.errors}`,
      );
    }
    console.log(
      JSON.stringify({
        bench: 'https-server',
        metric: 'full TLS 1.2 handshakes + one file fetch per second, ratio = ours / openssl s_server -WWW',
        clientCiphers: WINC_STOCK_CLIENT_CIPHER_LIST,
        fileBytes: fileBytes.byteLength,
        durationMs,
        results: results.map((r) => ({
          concurrency: r.concurrency,
          ratio: Number(r.ratio.toFixed(3)),
          oursPerSecond: Number(r.ours.perSecond.toFixed(1)),
          opensslPerSecond: Number(r.openssl.perSecond.toFixed(1)),
          oursErrors: r.ours.errors,
          opensslErrors: r.openssl.errors,
          oursCipher: r.ours.cipher,
          opensslCipher: r.openssl.cipher,
        })),
      }),
    );
  } finally {
    cleanup();
  }
}

function emptyResult(): RunResult {
  return { ok: 0, errors: 0, seconds: 0, perSecond: 0, cipher: '' };
}

function combine(a: RunResult, b: RunResult): RunResult {
  const ok = a.ok + b.ok;
  const seconds = a.seconds + b.seconds;
  return { ok, errors: a.errors + b.errors, seconds, perSecond: seconds > 0 ? ok / seconds : 0, cipher: a.cipher || b.cipher };
}

/** Runs `concurrency` loops of connect → handshake → GET → read to close, for a bounded time and count. */
async function measure(port: number, concurrency: number, durationMs: number, ca: string, expected: Buffer): Promise<RunResult> {
  let ok = 0;
  let errors = 0;
  let started = 0;
  let cipher = '';
  const begin = performance.now();
  const deadline = begin + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && started < MAX_OPERATIONS_PER_RUN) {
      started += 1;
      try {
        const negotiated = await fetchOnce(port, ca, expected);
        if (!cipher) cipher = negotiated;
        ok += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - begin) / 1000;
  return { ok, errors, seconds, perSecond: ok / seconds, cipher };
}

function fetchOnce(port: number, ca: string, expected: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    let cipher = '';
    const chunks: Buffer[] = [];
    const socket = tlsConnect({ host: HOST, port, ca, ciphers: WINC_STOCK_CLIENT_CIPHER_LIST, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, () => {
      cipher = socket.getCipher().name;
      socket.write(`GET /${FILE_NAME} HTTP/1.0\r\n\r\n`);
    });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error('timeout')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const body = Buffer.concat(chunks);
      const split = body.indexOf('\r\n\r\n');
      if (split >= 0 && body.subarray(split + 4).equals(expected)) resolve(cipher);
      else reject(new Error('wrong or missing body'));
    });
  });
}

function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('our server did not start')), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      const match = text.match(/READY (\d+)/u);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`our server exited (${String(code)})`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: HOST, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error('openssl s_server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}
