/**
 * Programming on a busy PC (issue 14 item 8). Two things go wrong when the machine is loaded:
 * the programmer's own process is stalled past a reply timeout (its timer then fires before it
 * reads the reply waiting in the kernel), and the other side answers late (here: the simulator
 * process is descheduled). Both must cost time, never the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForHello } from '../board/hello.js';
import { BOARDS, type SambaBoard } from './boards.js';
import { flashSambaBoard } from './samba-programmer.js';
import { realSerialEdge, type SerialEdge } from './serial-edge.js';
import { startSimulatedBootloader, type SimulatedBootloaderHandle } from './sim/simulated-bootloader.js';
import { helloApplication, makeTestImage, simulatorEdge, waitForHello as waitForTestHello } from './test-support.js';

const mkr = BOARDS.mkr1000 as SambaBoard;
const repoRoot = path.resolve(import.meta.dirname, '..', '..');

function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // a PC too busy to run us: nothing else in this process happens meanwhile
  }
}

/** The real edge, but this process stalls (longer than a reply timeout) while it waits for the chosen commands' replies. */
function stallingEdge(base: SerialEdge, stallAfter: string[], stallMs: number): SerialEdge & { stalls: string[] } {
  const pending = new Set(stallAfter);
  const stalls: string[] = [];
  return {
    ...base,
    stalls,
    async openChannel(portPath, baudRate, signal) {
      const channel = await base.openChannel(portPath, baudRate, signal);
      return {
        ...channel,
        path: channel.path,
        get isClosed() {
          return channel.isClosed;
        },
        async write(data) {
          await channel.write(data);
          const letter = String.fromCharCode(data[0] ?? 0);
          if (pending.has(letter) && data.length < 32) {
            pending.delete(letter);
            stalls.push(letter);
            // Once the reply timer is armed, before the reply is read: the worst moment to be descheduled.
            setImmediate(() => blockEventLoop(stallMs));
          }
        },
        read: (length, timeoutMs) => channel.read(length, timeoutMs),
        readUntilQuiet: (maxLength, timeoutMs, quietMs) => channel.readUntilQuiet(maxLength, timeoutMs, quietMs),
        readUntil: (complete, timeoutMs) => channel.readUntil(complete, timeoutMs),
        discardInput: () => channel.discardInput(),
        close: () => channel.close(),
      };
    },
  };
}

let sim: SimulatedBootloaderHandle | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  if (child && child.exitCode === null) {
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  }
  child = undefined;
});

describe('programming on a busy PC', () => {
  it('survives this process being stalled for longer than a reply timeout, at identify, write and verify', async () => {
    sim = await startSimulatedBootloader({ onApplicationStart: helloApplication });
    const edge = stallingEdge(simulatorEdge(sim), ['w', 'Y', 'Z'], 1300);
    const image = makeTestImage(0x2000, 9000);
    const result = await flashSambaBoard({
      portPath: sim.portPath,
      board: mkr,
      image,
      edge,
      waitForApplication: waitForTestHello,
      timing: { afterTouchMs: 20, settleMs: 20, pollIntervalMs: 25 },
    });
    expect(edge.stalls).toEqual(['w', 'Y', 'Z']);
    expect(result.verifiedBy).toBe('crc');
    expect(sim.device.flash.slice(0x2000, 0x2000 + image.length)).toEqual(image);
    expect(sim.mode).toBe('application');
  }, 30_000);

  it('sends the reset again when the board is still in its bootloader (the reply-less reset was lost)', async () => {
    sim = await startSimulatedBootloader({ onApplicationStart: helloApplication, faults: { lostResets: 1 } });
    const log: string[] = [];
    const result = await flashSambaBoard({
      portPath: sim.portPath,
      board: mkr,
      image: makeTestImage(0x2000, 3000),
      edge: simulatorEdge(sim),
      onLog: (line) => log.push(line),
      waitForApplication: waitForTestHello,
      timing: { afterTouchMs: 20, settleMs: 20, pollIntervalMs: 25, applicationTimeoutMs: 8000 },
    });
    expect(result.applicationPort).toBe(sim.portPath);
    expect(sim.mode).toBe('application');
    expect(log.some((line) => line.includes('the reset did not arrive; sending it again'))).toBe(true);
  }, 30_000);

  it('survives a board that answers late: the simulator process descheduled at identify, mid-write and after reset', async () => {
    const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
    child = spawn(process.execPath, ['--import', tsx, path.join(repoRoot, 'src-main', 'cli', 'main.ts'), 'sim', '--pty', '--bootloader', '--board', 'mkr1000'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const running = child;
    const portPath = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the simulator did not start in 20 s')), 20_000);
      createInterface({ input: running.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line.trim());
      });
      running.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
    });
    const stalled: string[] = [];
    const deschedule = (why: string, ms: number): void => {
      stalled.push(why);
      running.kill('SIGSTOP');
      setTimeout(() => running.kill('SIGCONT'), ms);
    };
    const image = makeTestImage(0x2000, 30_000);
    const result = await flashSambaBoard({
      portPath,
      board: mkr,
      image,
      edge: realSerialEdge,
      waitForApplication: waitForHello,
      onProgress: (event) => {
        if (event.phase === 'identify' && event.state === 'start') deschedule('identify', 2500);
        if (event.phase === 'write' && event.state === 'progress' && event.done === 8192) deschedule('write', 2500);
        // Longer than the app's whole HELLO budget (4 attempts × 1 s): the wait must ask again.
        if (event.phase === 'reset' && event.state === 'start') setTimeout(() => deschedule('reset', 5000), 30);
      },
    });
    expect(stalled).toEqual(['identify', 'write', 'reset']);
    expect(result.bytesWritten).toBe(image.length);
    expect(result.applicationPort).toBe(portPath);
  }, 60_000);
});
