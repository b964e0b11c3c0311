import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { devicePems, devicesCsv, parseAudit, summariseDevices } from '../../audit/index.js';
import { FileReadError, readRegularFile } from '../../files/regular-file.js';
import { runSubcommand, UsageError, type CliCommand, type CliIo } from '../command.js';

const USAGE = `  winc-cert audit verify FILE [--json]
      Check an audit trail: every line whole, sealed, numbered without gaps and chained to the one
      before. Exit 0 when intact; 1 naming the first changed, missing or cut line.
  winc-cert audit export FILE --csv OUT [--certs DIR]
      Write one CSV row per board (the newest identity on the board, else its newest one, and its state)
      and, with --certs, one PEM per board whose certificate reached it (DIR/UID.pem), ready for bulk
      registration.
      Refuses a trail that does not verify.`;

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'Verify or export a station audit trail (per-board identities)',
  usage: USAGE,
  run: (argv, io) => runSubcommand(argv, io, USAGE, { verify, export: exportTrail }),
};

function parse(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }>): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' }, ...extra } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** An audit trail is a line per board operation: a million boards fit well below this. */
const MAX_AUDIT_FILE_BYTES = 1024 * 1024 * 1024;

async function readTrail(argv: string[]): Promise<{ file: string; text: string }> {
  if (argv.length !== 1) throw new UsageError('give exactly one audit FILE');
  const file = argv[0]!;
  try {
    return { file, text: Buffer.from(await readRegularFile(file, { maxBytes: MAX_AUDIT_FILE_BYTES, what: 'audit' })).toString('utf8') };
  } catch (error) {
    if (!(error instanceof FileReadError)) throw error;
    throw new UsageError(error.code === 'FILE_NOT_FOUND' ? `cannot read ${file}: no such file` : error.message);
  }
}

async function verify(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return help(io);
  const { file, text } = await readTrail(positionals);
  const { verdict } = parseAudit(text);
  if (values.json) io.stdout(`${JSON.stringify({ file, ...verdict })}\n`);
  else if (verdict.intact) {
    io.stdout(`${file}: intact, ${verdict.records} record${verdict.records === 1 ? '' : 's'}${verdict.head ? `; last record ${verdict.head.seq}, line SHA-256 ${verdict.head.lineSha256}` : ''}\n`);
  } else {
    io.stdout(`${file}: BROKEN at line ${verdict.line} (${verdict.problem}): ${verdict.message} ${verdict.recordsBefore} record${verdict.recordsBefore === 1 ? '' : 's'} before it verify.\n`);
  }
  return verdict.intact ? 0 : 1;
}

async function exportTrail(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { csv: { type: 'string' }, certs: { type: 'string' } });
  if (values.help) return help(io);
  const csv = values.csv;
  const certs = typeof values.certs === 'string' ? values.certs : undefined;
  if (typeof csv !== 'string' || csv === '') throw new UsageError('--csv OUT is required');
  const { file, text } = await readTrail(positionals);
  const { verdict, records } = parseAudit(text);
  if (!verdict.intact) {
    io.stderr(`winc-cert audit: ${file} does not verify (line ${verdict.line}: ${verdict.message}); nothing exported. Run 'winc-cert audit verify ${file}'.\n`);
    return 1;
  }
  const devices = summariseDevices(records);
  await writeFile(csv, devicesCsv(devices));
  let written = 0;
  if (certs !== undefined) {
    await mkdir(certs, { recursive: true });
    for (const { fileName, pem } of devicePems(devices)) {
      await writeFile(join(certs, fileName), pem);
      written++;
    }
  }
  io.stdout(`${devices.length} board${devices.length === 1 ? '' : 's'} written to ${csv}${certs !== undefined ? `; ${written} certificate${written === 1 ? '' : 's'} in ${certs}` : ''}\n`);
  return 0;
}

function help(io: CliIo): number {
  io.stdout(`Usage:\n${USAGE}\n`);
  return 0;
}
