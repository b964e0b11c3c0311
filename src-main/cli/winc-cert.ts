import { APP_VERSION } from '../app-identity.js';
import { UsageError, type CliIo } from './command.js';
import { COMMANDS } from './commands/index.js';
import { describeSystemError } from './system-error.js';
import { explainUnknownOption } from './unknown-option.js';

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.stdout(`${APP_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`winc-cert: unknown command '${name}'.\n\n${helpText()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`winc-cert ${name}: ${explainUnknownOption(error.message, command.usage)}\n\nUsage:\n${command.usage}\n`);
      return 2;
    }
    const code = error && typeof error === 'object' && 'code' in error ? ` [${String(error.code)}]` : '';
    io.stderr(`winc-cert ${name}: ${describeSystemError(error) ?? (error instanceof Error ? error.message : String(error))}${code}\n`);
    return 1;
  }
}

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `winc-cert ${APP_VERSION}: provision ATWINC15x0 certificate stores\n\nCommands:\n${lines.join('\n')}\n\nRun 'winc-cert COMMAND --help' for a command's options.\n`;
}
