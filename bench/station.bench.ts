/**
 * Benchmark: a factory station with per-board identities (issue 16), through `winc-cert station`
 * (the built CLI, its own process) and eight simulated boards, each its own process
 * (`winc-cert sim --pty`, 115200 baud, realistic SPI NOR timings), as real boards bring their own CPUs.
 *
 * 1. Eight boards one after another (`--max-boards 1`) against eight at once (the gang), same
 *    boards, same run, same timing model: the gang must take at most 1/6 of the time.
 *    Time is the provisioning window from the events the station prints (first board connected
 *    to last result), so the station's start-up (opening the CA, starting the servers) is not
 *    counted against either side; the whole process time is printed too.
 * 2. Throughput with identities in boards per hour (the model's time only: no hands plugging boards).
 * 3. The PC-side cost of one identity as a share of one board's time: the run's `identity` phase
 *    (a key from the pool, signing, sealing the held key, fsyncing the record and the audit line:
 *    the station's critical path), and a cold RSA-2048 key generation + signature, both against one
 *    board's time when boards go one after another. Target under 5%.
 * 4. One board unplugged mid-write in a gang of eight: it fails alone, the seven others pass; plugged
 *    in again it is recovered (its own backup restored) and passes with the identity it was first given.
 *
 * Run: npx tsx bench/station.bench.ts [--boards 8] [--rounds 2]
 * The last stdout line is JSON: {"bench":"station", ...}.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunResultView } from '../src-main/api/contract.js';
import { MIN_SCRYPT } from '../src-main/app-data/passphrase-sealer.js';
import { startPtyProcess, type PtyProcess } from '../src-main/board/pty-process.js';
import { CaSigner, compileTemplate, createStationCa, wipe } from '../src-main/ca/index.js';
import { createCaCommand } from '../src-main/cli/commands/ca.js';

const BAUD = 115_200;
const { values } = parseArgs({ options: { boards: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' } } });
const BOARDS = Number(values.boards);
const ROUNDS = Number(values.rounds);
const REPO = path.resolve(import.meta.dirname, '..');
const CLI = path.join(REPO, 'build', 'winc-cert.mjs');
const SAMPLES = path.join(REPO, 'assets', 'samples');
const SAMPLE_FILES = readdirSync(SAMPLES).filter((name) => /\.(cer|key)$/u.test(name)).map((name) => path.join(SAMPLES, name));
const SEED_ROOT = path.join(REPO, 'assets', 'sim', 'root-seed.bin');
const ENV = { ...process.env, CA_PASS: 'bench station passphrase', WIFI_PSK: 'bench-passphrase' };

interface StationEvent {
  time: string;
  event: string;
  port?: string;
  result?: RunResultView;
  passed?: number;
  failed?: number;
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

function startBoard(extra: string[] = []): Promise<PtyProcess> {
  return startPtyProcess(process.execPath, [CLI, 'sim', '--pty', '--firmware', '19.7.7', '--baud', String(BAUD), '--seed-root', SEED_ROOT, ...extra], { timeoutMs: 30_000 });
}

async function station(work: string, ports: string[], maxBoards: number): Promise<{ events: StationEvent[]; processMs: number; windowMs: number; code: number | null }> {
  const args = [
    CLI, 'station', ...ports.flatMap((port) => ['--port', port]), '--max-boards', String(maxBoards),
    '--identity-ca', path.join(work, 'ca'), '--identity-subject', 'CN=bench-{uid}, O=Bench', '--identity-san', 'URI:urn:bench:{mac}',
    '--passphrase-env', 'CA_PASS', '--proof-port', '0',
    '--wifi-ssid', 'bench-ap', '--wifi-passphrase-env', 'WIFI_PSK', '--host', '127.0.0.1',
    '--data-dir', path.join(work, 'data'), '--json', ...SAMPLE_FILES,
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: ENV, cwd: work });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const processMs = performance.now() - started;
  const events = out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as StationEvent);
  const connected = events.filter((event) => event.event === 'connected').map((event) => Date.parse(event.time));
  const results = events.filter((event) => event.event === 'result').map((event) => Date.parse(event.time));
  if (connected.length === 0 || results.length === 0) throw new Error(`the station provisioned nothing (exit ${code}):\n${err}`);
  return { events, processMs, windowMs: Math.max(...results) - Math.min(...connected), code };
}

const resultsOf = (events: StationEvent[]) => events.filter((event) => event.event === 'result').map((event) => ({ port: event.port!, result: event.result! }));

const work = mkdtempSync(path.join(tmpdir(), 'bench-station-'));
const boards: PtyProcess[] = [];
try {
  const ca = createCaCommand({ secrets: () => ({ env: ENV, prompt: undefined }), hostname: () => 'bench', scrypt: MIN_SCRYPT });
  if ((await ca.run(['init', '--dir', path.join(work, 'ca'), '--subject', 'CN=Bench station CA', '--passphrase-env', 'CA_PASS'], { stdout: () => {}, stderr: (text) => process.stderr.write(text) })) !== 0) throw new Error('ca init failed');
  // 1. One after another, then all at once, each on eight fresh boards (same model, same work: each
  //    board also has to be made to trust the station's server first).
  const freshBoards = async () => {
    await Promise.all(boards.map((board) => board.stop()));
    boards.length = 0;
    for (let i = 0; i < BOARDS; i++) boards.push(await startBoard());
    return boards.map((board) => board.path);
  };
  // Interleaved, twice, and the best of each kept: the machine's other load hits both sides alike.
  const runs: { sequential: Awaited<ReturnType<typeof station>>[]; gang: Awaited<ReturnType<typeof station>>[] } = { sequential: [], gang: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.sequential.push(await station(work, await freshBoards(), 1));
    runs.gang.push(await station(work, await freshBoards(), BOARDS));
  }
  const best = (list: Awaited<ReturnType<typeof station>>[]) => list.reduce((a, b) => (b.windowMs < a.windowMs ? b : a));
  const sequential = best(runs.sequential);
  const gang = best(runs.gang);
  for (const [name, run] of [...runs.sequential.map((run) => ['one after another', run] as const), ...runs.gang.map((run) => ['gang', run] as const)]) {
    const failed = resultsOf(run.events).filter((entry) => entry.result.result !== 'pass' || entry.result.identity?.state !== 'proven');
    if (failed.length > 0 || run.code !== 0) throw new Error(`${name}: ${failed.length} boards did not pass with a proven identity: ${failed.map((entry) => entry.result.reason).join('; ')}`);
  }
  const ratio = gang.windowMs / sequential.windowMs;
  const perBoardMs = sequential.windowMs / BOARDS;
  const seconds = (list: Awaited<ReturnType<typeof station>>[]) => list.map((run) => (run.windowMs / 1000).toFixed(1)).join(' / ');
  console.log(`${BOARDS} boards with identities @ ${BAUD} baud (best of ${ROUNDS}): one after another ${(sequential.windowMs / 1000).toFixed(1)} s, at once ${(gang.windowMs / 1000).toFixed(1)} s -> ${ratio.toFixed(3)} of the time (target <= ${(1 / 6).toFixed(3)}); rounds ${seconds(runs.sequential)} s vs ${seconds(runs.gang)} s; whole processes ${(sequential.processMs / 1000).toFixed(1)} s vs ${(gang.processMs / 1000).toFixed(1)} s`);

  const phaseMedians = (run: typeof sequential) => {
    const byPhase = new Map<string, number[]>();
    for (const { result } of resultsOf(run.events)) for (const phase of result.phases) byPhase.set(phase.phase, [...(byPhase.get(phase.phase) ?? []), phase.durationMs]);
    return [...byPhase.entries()].map(([phase, samples]) => `${phase} ${median(samples)}`).join(', ');
  };
  console.log(`  phases (median ms), one after another: ${phaseMedians(sequential)}`);
  console.log(`  phases (median ms), at once:           ${phaseMedians(gang)}`);

  // 2. Throughput.
  const perHourSequential = (3600_000 / sequential.windowMs) * BOARDS;
  const perHourGang = (3600_000 / gang.windowMs) * BOARDS;
  console.log(`throughput at the simulator's timing model: ${Math.round(perHourGang)} boards/hour with a gang of ${BOARDS} (${Math.round(perHourSequential)} one after another; ${(perBoardMs / 1000).toFixed(2)} s per board)`);

  // 3. The identity's PC-side cost against one board's time.
  const identityPhase = (run: typeof sequential) =>
    resultsOf(run.events).map((entry) => entry.result.phases.find((phase) => phase.phase === 'identity')?.durationMs ?? 0);
  const criticalMs = median(identityPhase(sequential));
  const caMaterial = await createStationCa({ subject: 'CN=Bench cold CA', keyType: 'rsa2048', validityDays: 30 });
  const signer = CaSigner.open(caMaterial, caMaterial.keyPkcs8Der.slice());
  const cold: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    const identity = await signer.issueDeviceIdentity({ template: compileTemplate({ subject: 'CN=bench-{uid}' }), values: { uid: i.toString(16).padStart(32, '0') }, validityDays: 30 });
    cold.push(performance.now() - started);
    wipe(identity.keyPem);
  }
  signer.close();
  const coldMs = median(cold);
  console.log(`one identity on the station's critical path (pooled key, sign, seal, fsync record + audit): ${criticalMs} ms = ${((criticalMs / perBoardMs) * 100).toFixed(2)}% of a board's ${(perBoardMs / 1000).toFixed(2)} s (target < 5%); cold RSA-2048 keygen + sign ${coldMs.toFixed(0)} ms = ${((coldMs / perBoardMs) * 100).toFixed(1)}%`);

  // 4. One board unplugged mid-write in a gang: it fails alone, and recovers on re-plug.
  for (const board of boards) await board.stop();
  boards.length = 0;
  const flashFile = path.join(work, 'unplugged.flash');
  for (let i = 0; i < BOARDS; i++) boards.push(await startBoard(i === 0 ? ['--flash-file', flashFile, '--unplug-after-bytes', '2048'] : []));
  const cut = await station(work, boards.map((board) => board.path), BOARDS);
  const cutResults = resultsOf(cut.events);
  const victim = cutResults.find((entry) => entry.port === boards[0]!.path)!.result;
  const others = cutResults.filter((entry) => entry.port !== boards[0]!.path);
  if (victim.result !== 'fail' || others.length !== BOARDS - 1 || others.some((entry) => entry.result.result !== 'pass')) {
    throw new Error(`the unplugged board should fail alone: ${cutResults.map((entry) => `${entry.port} ${entry.result.result}`).join(', ')}`);
  }
  await boards[0]!.stop();
  boards[0] = await startBoard(['--flash-file', flashFile]);
  const replug = await station(work, [boards[0]!.path], BOARDS);
  const recovered = resultsOf(replug.events)[0]!.result;
  const restored = replug.events.find((event) => event.event === 'restored');
  if (recovered.result !== 'pass' || restored?.result?.result !== 'pass' || recovered.identity?.certSerial !== victim.identity?.certSerial) {
    throw new Error(`the re-plugged board did not recover with its first identity: ${recovered.result} ${recovered.reason ?? ''}`);
  }
  console.log(`one board unplugged mid-write (${victim.failedPhase}): failed alone, ${others.length} others passed; re-plugged: restored and passed with identity ${recovered.identity!.certSerial} (attempt ${recovered.identity!.attempt})`);

  console.log(
    JSON.stringify({
      bench: 'station',
      boards: BOARDS,
      baud: BAUD,
      sequentialMs: Math.round(sequential.windowMs),
      gangMs: Math.round(gang.windowMs),
      gangShareOfSequential: Number(ratio.toFixed(3)),
      boardsPerHour: Math.round(perHourGang),
      boardsPerHourSequential: Math.round(perHourSequential),
      perBoardMs: Math.round(perBoardMs),
      identityCriticalPathMs: criticalMs,
      identityShareOfBoard: Number((criticalMs / perBoardMs).toFixed(4)),
      coldIdentityShareOfBoard: Number((coldMs / perBoardMs).toFixed(4)),
      unpluggedFailedAlone: true,
      recoveredOnReplug: true,
    }),
  );
} finally {
  await Promise.all(boards.map((board) => board.stop()));
  rmSync(work, { recursive: true, force: true });
}
