import { basename } from 'node:path';
import { readPrivateKey } from '../../keys/private-key.js';
import { planTlsStore, type TlsChainInput } from '../../store/tls-chain.js';
import { decodeTlsSection, encodeTlsSection } from '../../store/tls-store.js';
import { describeKeptTail } from '../../store/tls-tail.js';
import { readCertificateFile, readInputFile } from '../cert-input.js';
import { runSubcommand, UsageError, type CliCommand, type CliIo } from '../command.js';
import { LAYOUT_OPTIONS, layoutFrom, parseOptions, sectionFromFile, stringOption, writeErasedSection, writeOutput } from '../store-cli.js';

const USAGE = `  winc-cert tls build [--module winc1500|winc3400] [--firmware 19.6] [--base SECTION.bin]
                      [--key KEY] [--crc unset|crc32] [--json] CERT... --out FILE
      Write the whole TLS server section (8192 bytes): the leaf certificate first, then its issuers.
      With --key (PKCS#1 or PKCS#8, PEM or DER) an RSA chain with its PRIV_ key file; without it
      an ECDSA chain (its key stays in the secure element). With --base the chain is added beside
      what is stored; a stored chain of the same kind is replaced. The key must match the leaf.
      The section's last two pages (0x6E00-0x6FFF: the AWS endpoint and thing name on Microchip's
      IoT boards) are never used by the store; with --base they are copied from it unchanged.
      --firmware 19.5 writes the 464-byte header of 19.5.x; 19.6+ the 468-byte header with CRC word.
      --crc crc32 stores a CRC-32 of the files instead of 0xFFFFFFFF (Microchip's tools leave it unset).
  winc-cert tls erase [--module ...] [--firmware ...] --out FILE
      Write an erased (all 0xFF) TLS section.`;

export const tlsCommand: CliCommand = {
  name: 'tls',
  summary: 'Build or erase a TLS server certificate section (tls build / tls erase)',
  usage: USAGE,
  run: (argv: string[], io: CliIo) => runSubcommand(argv, io, USAGE, { build, erase }),
};

async function build(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    ...LAYOUT_OPTIONS,
    base: { type: 'string' },
    key: { type: 'string' },
    crc: { type: 'string' },
    out: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`Usage:\n${USAGE}\n`);
    return 0;
  }
  const out = stringOption(values, 'out');
  if (!out) throw new UsageError('--out FILE is required');
  if (positionals.length === 0) throw new UsageError('give the server certificate (leaf) first, then its issuers');
  const crc = stringOption(values, 'crc') ?? 'unset';
  if (crc !== 'unset' && crc !== 'crc32') throw new UsageError(`--crc must be 'unset' or 'crc32', not '${crc}'`);
  const layout = layoutFrom(values);
  if (crc === 'crc32' && layout.tlsHeaderSize !== 468) throw new UsageError(`firmware ${layout.firmware} has no CRC word in its TLS header; drop --crc`);

  const notes: string[] = [];
  let base = null;
  let baseSection: Uint8Array | undefined;
  const basePath = stringOption(values, 'base');
  if (basePath) {
    const { section, fromImage } = sectionFromFile(await readInputFile(basePath, 'base section'), layout.tlsStore, 'TLS store', basePath);
    baseSection = section;
    if (fromImage) notes.push(`base: TLS section cut from flash image ${basePath} at 0x${layout.tlsStore.offset.toString(16)}`);
    base = decodeTlsSection(section, layout);
    notes.push(...base.warnings.map((warning) => `base: ${warning}`));
    if (!base.erased && base.headerSize !== layout.tlsHeaderSize) notes.push(`base: its ${base.headerSize}-byte header is rewritten as the ${layout.tlsHeaderSize}-byte header of firmware ${layout.firmware}`);
  }

  const certificates = [];
  for (const path of positionals) certificates.push(...(await readCertificateFile(path)).map(({ label, cert }) => ({ label, cert })));
  const chain: TlsChainInput = { certificates };
  const keyPath = stringOption(values, 'key');
  if (keyPath) chain.key = { label: basename(keyPath), key: readPrivateKey(await readInputFile(keyPath, 'private key')) };

  const plan = planTlsStore(base && !base.erased ? base : null, [chain], layout);
  // The base's last two pages (AWS endpoint and thing name on Microchip's IoT boards) are kept.
  const bytes = encodeTlsSection(plan.files, layout, { crc, ...(baseSection ? { keepTailFrom: baseSection } : {}) });
  const kept = baseSection ? describeKeptTail(bytes).filter((k) => !k.erased) : [];
  for (const k of kept) notes.push(`${k.label} (0x${(layout.tlsStore.offset + k.offset).toString(16)}, from the base)`);
  await writeOutput(out, bytes);

  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          out,
          module: layout.module,
          firmware: layout.firmware,
          headerSize: layout.tlsHeaderSize,
          bytesWritten: bytes.length,
          files: plan.files.map((file) => ({ name: file.name, size: file.data.length })),
          chains: plan.chains,
          changes: plan.changes,
          usedBytes: plan.usedBytes,
          freeBytes: plan.freeBytes,
          notes,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  for (const note of notes) io.stdout(`note: ${note}\n`);
  for (const added of plan.chains) {
    io.stdout(`${added.kind.toUpperCase()} chain:${added.keyFile ? ` key ${added.keyFile},` : ' key in the secure element,'}\n`);
    for (const [index, item] of added.certificates.entries()) io.stdout(`  ${index === 0 ? 'leaf  ' : 'issuer'} ${item.name.padEnd(28)} ${item.subject}  (${item.label})\n`);
  }
  for (const change of plan.changes.filter((c) => c.action !== 'added')) io.stdout(`  ${change.action.padEnd(14)} ${change.name}\n`);
  io.stdout(
    `TLS store (${layout.generation}, ${layout.tlsHeaderSize}-byte header) written to ${out}: ${bytes.length} bytes, ` +
      `${plan.files.length} file${plan.files.length === 1 ? '' : 's'}, ${plan.usedBytes} of ${plan.capacityBytes} bytes used, ${plan.freeBytes} free.\n`,
  );
  return 0;
}

function erase(argv: string[], io: CliIo): Promise<number> {
  return writeErasedSection(argv, io, 'tls');
}
