import { toHex } from '../../store/bytes.js';
import { formatName } from '../../store/root-store.js';
import { decodeRootSection, encodeRootBlob, encodeRootSection, type RootEntryContent } from '../../store/root-store.js';
import { planRootStore, type RootAddition } from '../../store/root-merge.js';
import { readCertificateFile, readInputFile } from '../cert-input.js';
import { runSubcommand, UsageError, type CliCommand, type CliIo } from '../command.js';
import { LAYOUT_OPTIONS, layoutFrom, parseOptions, sectionFromFile, stringOption, writeErasedSection, writeOutput } from '../store-cli.js';

const USAGE = `  winc-cert root build [--module winc1500|winc3400] [--firmware 19.6] [--base SECTION.bin]
                       [--start-date copy|zero] [--pad-byte 0x00] [--blob] [--json] CERT... --out FILE
      Start from an erased section (or --base), add the certificates in order, write the whole
      root section (4096 bytes). A certificate whose subject is already stored replaces it; an
      identical one is left as is. Exits 1 and writes nothing if the store would not fit.
      --start-date zero  store zeros for the start date, as Harmony's demo tool does
      --blob             write only the header and entries (pywinc style), not the whole section
  winc-cert root erase [--module ...] [--firmware ...] --out FILE
      Write an erased (all 0xFF) root section: flashing it removes every root certificate.
  Certificates may be PEM or DER whatever their extension; a PEM file may hold several.`;

export const rootCommand: CliCommand = {
  name: 'root',
  summary: 'Build or erase a root-certificate store section (root build / root erase)',
  usage: USAGE,
  run: (argv: string[], io: CliIo) => runSubcommand(argv, io, USAGE, { build, erase }),
};

async function build(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    ...LAYOUT_OPTIONS,
    base: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'start-date': { type: 'string' },
    'pad-byte': { type: 'string' },
    blob: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`Usage:\n${USAGE}\n`);
    return 0;
  }
  const out = stringOption(values, 'out');
  if (!out) throw new UsageError('--out FILE is required');
  const startDate = stringOption(values, 'start-date') ?? 'copy';
  if (startDate !== 'copy' && startDate !== 'zero') throw new UsageError(`--start-date must be 'copy' or 'zero', not '${startDate}'`);
  const padByte = parseByte(stringOption(values, 'pad-byte'));
  const basePath = stringOption(values, 'base');
  if (positionals.length === 0 && !basePath) {
    throw new UsageError("give at least one certificate (or --base to repack a store); to clear the store use 'winc-cert root erase --out FILE'");
  }
  const layout = layoutFrom(values);

  let base: RootEntryContent[] = [];
  const notes: string[] = [];
  if (basePath) {
    const { section, fromImage } = sectionFromFile(await readInputFile(basePath, 'base section'), layout.rootStore, 'root store', basePath);
    const decoded = decodeRootSection(section, layout);
    if (fromImage) notes.push(`base: root section cut from flash image ${basePath} at 0x${layout.rootStore.offset.toString(16)}`);
    if (!decoded.erased && decoded.format !== layout.rootFormat) notes.push(`base: converted ${decoded.entries.length} entries from the ${formatName(decoded.format)} format`);
    notes.push(...decoded.warnings.map((warning) => `base: ${warning}`));
    base = decoded.entries.map((entry, index) => ({ ...entry, label: `stored entry ${index + 1} (name hash ${toHex(entry.nameHash)})` }));
  }

  const additions: RootAddition[] = [];
  for (const path of positionals) for (const input of await readCertificateFile(path)) additions.push({ label: input.label, cert: input.cert });

  // Everything is computed (and refused if it does not fit) before anything is written.
  const plan = planRootStore(base, additions, layout, { startDate });
  const bytes = values.blob ? encodeRootBlob(plan.entries, layout.rootFormat, { padByte }) : encodeRootSection(plan.entries, layout, { padByte });
  await writeOutput(out, bytes);

  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          out,
          module: layout.module,
          firmware: layout.firmware,
          format: layout.rootFormat,
          bytesWritten: bytes.length,
          entries: plan.entries.length,
          usedBytes: plan.usedBytes,
          freeBytes: plan.freeBytes,
          changes: plan.changes.map((change) => ({ label: change.label, action: change.action, nameHash: toHex(change.nameHash), subject: change.subject })),
          notes,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  for (const note of notes) io.stdout(`note: ${note}\n`);
  const width = Math.max(0, ...plan.changes.map((change) => change.label.length));
  for (const change of plan.changes) io.stdout(`  ${change.action.padEnd(9)} ${change.label.padEnd(width)}  ${change.subject}\n`);
  io.stdout(
    `Root store (${layout.generation}, ${formatName(layout.rootFormat)}) written to ${out}: ${bytes.length} bytes, ` +
      `${plan.entries.length} certificate${plan.entries.length === 1 ? '' : 's'}, ${plan.usedBytes} of ${plan.capacityBytes} bytes used, ${plan.freeBytes} free.\n`,
  );
  return 0;
}

function erase(argv: string[], io: CliIo): Promise<number> {
  return writeErasedSection(argv, io, 'root');
}

function parseByte(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new UsageError(`--pad-byte must be a byte value such as 0x00 or 0xCC, not '${text}'`);
  return value;
}
