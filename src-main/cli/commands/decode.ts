import { basename } from 'node:path';
import { privateKeyMatchesPublicKey } from '../../keys/key-match.js';
import { toHex } from '../../store/bytes.js';
import type { WincModule } from '../../store/flash-layout.js';
import { wincNameHash } from '../../store/name-hash.js';
import type { RootEntry } from '../../store/root-store.js';
import { detectSection, type DetectedSection } from '../../store/section-detect.js';
import type { ParsedCertificate } from '../../x509/certificate.js';
import { readCertificateFile, readInputFile } from '../cert-input.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';
import { isoDate, parseOptions, stringOption } from '../store-cli.js';

const USAGE = `  winc-cert decode SECTION.bin [--json] [--kind root|tls] [--module winc1500|winc3400] [--firmware 19.6]
                   [--match CERT]...
      Detect the section kind and generation and list every entry: name hash (and subject when a
      --match certificate has the same name), key type and size, validity, offsets, sizes, free bytes.
      A whole flash image (512 KiB / 1 MiB) is decoded at the module's root and TLS offsets.`;

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'Show what a root or TLS certificate section (or a flash image) holds',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(argv, {
      json: { type: 'boolean' },
      kind: { type: 'string' },
      module: { type: 'string' },
      firmware: { type: 'string' },
      match: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(`Usage:\n${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('give exactly one section file');
    const kind = stringOption(values, 'kind');
    if (kind !== undefined && kind !== 'root' && kind !== 'tls') throw new UsageError(`--kind must be 'root' or 'tls', not '${kind}'`);
    const module = stringOption(values, 'module');
    if (module !== undefined && module !== 'winc1500' && module !== 'winc3400') throw new UsageError(`--module must be 'winc1500' or 'winc3400', not '${module}'`);
    const firmware = stringOption(values, 'firmware');
    const path = positionals[0]!;
    const bytes = await readInputFile(path, 'section');

    const known = new Map<string, string>();
    for (const matchPath of (values.match as string[] | undefined) ?? []) {
      for (const input of await readCertificateFile(matchPath)) known.set(toHex(wincNameHash(input.cert.subjectDer)), input.cert.subjectText);
    }
    const result = detectSection(bytes, { ...(kind ? { kind } : {}), ...(module ? { module: module as WincModule } : {}), ...(firmware ? { firmware } : {}) });
    const report = { file: basename(path), size: bytes.length, container: result.container, sections: result.sections.map((section) => sectionReport(section, known)) };
    if (values.json) {
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      io.stdout(renderText(report));
    }
    return result.sections.some((section) => section.kind === 'error') ? 1 : 0;
  },
};

type SectionReport = ReturnType<typeof sectionReport>;

function keyBits(bytes: Uint8Array): number {
  const first = bytes.findIndex((byte) => byte !== 0);
  return first < 0 ? 0 : (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!));
}

function rootEntryReport(entry: RootEntry, index: number, known: Map<string, string>) {
  const hash = toHex(entry.nameHash);
  return {
    index: index + 1,
    offset: entry.offset,
    size: entry.size,
    nameHash: hash,
    subject: known.get(hash) ?? null,
    keyType: entry.publicKey.kind === 'rsa' ? 'RSA' : 'ECDSA',
    keyBits: entry.publicKey.kind === 'rsa' ? keyBits(entry.publicKey.modulus) : 256,
    curve: entry.publicKey.kind === 'ec' ? 'P-256' : null,
    notBefore: isoDate(entry.notBefore),
    notAfter: isoDate(entry.notAfter),
  };
}

function certificateReport(cert: ParsedCertificate) {
  const key = cert.publicKey;
  return {
    subject: cert.subjectText,
    issuer: cert.issuerText,
    keyType: key.kind === 'rsa' ? 'RSA' : key.kind === 'ec' ? 'ECDSA' : 'other',
    keyBits: key.kind === 'other' ? null : key.bits,
    notBefore: isoDate(cert.notBefore),
    notAfter: isoDate(cert.notAfter),
    sha256: cert.sha256Fingerprint,
  };
}

function sectionReport(section: DetectedSection, known: Map<string, string>) {
  if (section.kind === 'error') return { kind: 'error' as const, section: section.section, offset: section.offset, code: section.code, message: section.message };
  if (section.kind === 'root') {
    const store = section.store;
    return {
      kind: 'root' as const,
      offset: section.offset,
      format: store.format,
      generation: section.generation,
      erased: store.erased,
      count: store.count,
      sectionSize: store.sectionSize,
      endOffset: store.endOffset,
      freeBytes: store.freeBytes,
      entries: store.entries.map((entry, index) => rootEntryReport(entry, index, known)),
      deletedEntries: store.deletedEntries,
      warnings: store.warnings,
    };
  }
  const store = section.store;
  return {
    kind: 'tls' as const,
    offset: section.offset,
    generation: section.generation,
    erased: store.erased,
    headerSize: store.headerSize,
    count: store.count,
    nextWriteAddress: store.erased ? null : store.nextWriteAddress,
    crc: store.crc === null ? null : store.crc.toString(16).padStart(8, '0'),
    crcStatus: store.crcStatus,
    sectionSize: store.sectionSize,
    endOffset: store.endOffset,
    freeBytes: store.freeBytes,
    files: store.files.map((file, index) => ({ index: index + 1, name: file.name, kind: file.kind, address: file.address, offset: file.offset, size: file.size })),
    chains: store.chains.map((chain) => {
      const leaf = chain.certificates[0]?.certificate ?? null;
      const key = chain.privateKey;
      return {
        kind: chain.kind,
        list: chain.listFile,
        names: chain.names,
        certificates: chain.certificates.map((item) => ({ name: item.name, ...(item.certificate ? certificateReport(item.certificate) : { problem: item.problem ?? 'unreadable' }) })),
        privateKey: key
          ? { name: key.name, bits: key.key?.bits ?? null, matchesLeaf: key.key && leaf ? privateKeyMatchesPublicKey(key.key, leaf.publicKey) : null, ...(key.problem ? { problem: key.problem } : {}) }
          : null,
      };
    }),
    warnings: store.warnings,
  };
}

function hex(value: number, width = 4): string {
  return `0x${value.toString(16).padStart(width, '0')}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_cell, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `  ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}`.trimEnd()).join('\n') + '\n';
}

function day(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace('Z', '') : '(none)';
}

function renderText(report: { file: string; size: number; container: string; sections: SectionReport[] }): string {
  let text = `${report.file}: ${report.size} bytes${report.container === 'flash-image' ? ', a whole flash image' : ''}\n`;
  for (const section of report.sections) {
    const at = report.container === 'flash-image' ? ` at ${hex(section.offset)}` : '';
    if (section.kind === 'error') {
      text += `\n${section.section === 'root' ? 'Root' : 'TLS'} section${at}: cannot decode: ${section.message} [${section.code}]\n`;
      continue;
    }
    if (section.kind === 'root') {
      if (section.erased) {
        text += `\nRoot certificate section${at}: erased (no store), ${section.freeBytes} bytes free for entries.\n`;
        continue;
      }
      text += `\nRoot certificate store${at}: ${section.generation}, ${section.count} entr${section.count === 1 ? 'y' : 'ies'}, ${section.endOffset} of ${section.sectionSize} bytes used, ${section.freeBytes} free\n`;
      if (section.entries.length > 0) {
        const rows = [['#', 'offset', 'size', 'key', 'valid from', 'valid until', 'name hash / subject']];
        for (const entry of section.entries) {
          rows.push([String(entry.index), String(entry.offset), String(entry.size), `${entry.keyType}-${entry.keyType === 'ECDSA' ? 'P-256' : entry.keyBits}`, day(entry.notBefore), day(entry.notAfter), entry.subject ? `${entry.nameHash}  ${entry.subject}` : entry.nameHash]);
        }
        text += table(rows);
      }
      for (const deleted of section.deletedEntries) text += `  (deleted entry at ${deleted.offset}, ${deleted.size} bytes)\n`;
    } else {
      if (section.erased) {
        text += `\nTLS certificate section${at}: erased (no store).\n`;
        continue;
      }
      text += `\nTLS server store${at}: ${section.generation}, ${section.count} file${section.count === 1 ? '' : 's'}, ${section.endOffset} of ${section.sectionSize} bytes used, ${section.freeBytes} free`;
      text += section.crc === null ? '\n' : `, CRC ${section.crc} (${section.crcStatus})\n`;
      if (section.files.length > 0) {
        const rows = [['#', 'address', 'offset', 'size', 'kind', 'name']];
        for (const file of section.files) rows.push([String(file.index), hex(file.address), String(file.offset), String(file.size), file.kind, file.name]);
        text += table(rows);
      }
      for (const chain of section.chains) {
        const key = chain.privateKey;
        const keyText = chain.kind === 'rsa' ? (key ? `key ${key.name} (RSA-${key.bits ?? '?'}${key.matchesLeaf === false ? ', DOES NOT MATCH the leaf' : key.matchesLeaf ? ', matches the leaf' : ''})` : 'no key file') : 'key in the secure element';
        text += `  ${chain.kind.toUpperCase()} chain (${chain.list}), ${keyText}:\n`;
        chain.certificates.forEach((item, index) => {
          const role = index === 0 ? 'leaf  ' : 'issuer';
          text += 'subject' in item
            ? `    ${role} ${item.name}  ${item.subject}  ${item.keyType}-${item.keyBits}  ${day(item.notBefore)} .. ${day(item.notAfter)}\n`
            : `    ${role} ${item.name}  (${item.problem})\n`;
        });
      }
    }
    for (const warning of section.warnings) text += `  warning: ${warning}\n`;
  }
  return text;
}
