/**
 * `winc-cert sim --pty --bootloader`: runs the simulated SAM-BA bootloader board until stopped,
 * printing the port path alone on the first line (scripts read it), then a short description.
 */
import { startSimulatedBootloader, type SimulatedBootloaderOptions } from './simulated-bootloader.js';

export interface BootloaderSimRun {
  stdout(text: string): void;
  stderr(text: string): void;
}

export async function runBootloaderSim(
  io: BootloaderSimRun,
  options: SimulatedBootloaderOptions & { signal?: AbortSignal } = {},
): Promise<number> {
  const { signal, ...simOptions } = options;
  const sim = await startSimulatedBootloader({
    ...simOptions,
    onApplicationStart: (context) => {
      io.stderr('simulated board: reset into the application\n');
      return simOptions.onApplicationStart?.(context);
    },
  });
  io.stdout(`${sim.portPath}\n`);
  io.stderr(
    `Simulated ${simOptions.board ?? 'mkr1000'} (ATSAMD21G18A) ${sim.mode === 'application' ? 'running its application (the 1200-baud touch reaches it through ' + sim.portPath + '.usb-control)' : 'in its SAM-BA bootloader'}. Try:\n` +
      `  winc-cert firmware flash --port ${sim.portPath} --board ${simOptions.board ?? 'mkr1000'}\n` +
      `  bossac --port=${sim.portPath} -U -e -w -v --offset=0x2000 -R app.bin\n` +
      'Stop with Ctrl-C.\n',
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (signal) {
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop, { once: true });
    } else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await sim.close();
  return 0;
}
