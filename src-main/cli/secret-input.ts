/**
 * Secrets for the command line: from an environment variable the user names, or typed
 * at a terminal without echo. Never from an argument (it would sit in shell history
 * and in every process listing).
 */
import { UsageError } from './command.js';

export interface SecretSource {
  env: NodeJS.ProcessEnv;
  /** Asks on the terminal without echo; undefined when there is no terminal. */
  prompt: ((question: string) => Promise<string>) | undefined;
}

/** The secret from `--…-env VAR`, else a prompt (asked twice when `confirm`), else a usage error naming the option. */
export async function readSecret(source: SecretSource, envVar: string | undefined, what: string, option: string, confirm = false): Promise<string> {
  if (envVar !== undefined) {
    const value = source.env[envVar];
    if (value === undefined || value === '') throw new UsageError(`${option} names ${envVar}, but that environment variable is not set (or empty)`);
    return value;
  }
  if (!source.prompt) throw new UsageError(`no terminal to ask for the ${what}: set it in an environment variable and pass ${option} VAR`);
  const first = await source.prompt(`${what[0]!.toUpperCase()}${what.slice(1)}: `);
  if (confirm) {
    const second = await source.prompt(`Repeat the ${what}: `);
    if (second !== first) throw new UsageError(`the two ${what} entries differ; run the command again`);
  }
  return first;
}

/** Reads one line from the terminal with echo off (stdin in raw mode); Ctrl-C aborts. */
export function terminalPrompt(): SecretSource['prompt'] {
  const stdin = process.stdin;
  if (!stdin.isTTY || !process.stderr.isTTY) return undefined;
  return (question) =>
    new Promise<string>((resolve, reject) => {
      process.stderr.write(question);
      let typed = '';
      const finish = (error?: Error) => {
        stdin.off('data', onData);
        stdin.setRawMode(false);
        stdin.pause();
        process.stderr.write('\n');
        if (error) reject(error);
        else resolve(typed);
      };
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') return finish();
          if (char === '\u0003') return finish(new UsageError('cancelled'));
          if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
          else if (char >= ' ') typed += char;
        }
      };
      stdin.setRawMode(true);
      stdin.resume();
      stdin.on('data', onData);
    });
}
