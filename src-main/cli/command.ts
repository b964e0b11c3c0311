/** One top-level `winc-cert` command. Output goes through `io` so tests can capture it. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A usage error: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Runs `COMMAND SUB ...` by the sub-command's name; no name (or --help) prints the usage.
 */
export async function runSubcommand(argv: string[], io: CliIo, usage: string, handlers: Record<string, (rest: string[], io: CliIo) => Promise<number>>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(`Usage:\n${usage}\n`);
    return sub === undefined ? 2 : 0;
  }
  const handler = Object.hasOwn(handlers, sub) ? handlers[sub] : undefined;
  if (!handler) throw new UsageError(`unknown subcommand '${sub}' (use ${Object.keys(handlers).map((name) => `'${name}'`).join(' or ')})`);
  return handler(rest, io);
}

/** Resolves at the first Ctrl-C or SIGTERM: how a long-running command (sim, serve, station) is stopped. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
