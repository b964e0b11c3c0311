import { analyzeIntake, intakeView, loadIntakeInputs, type IntakeView } from '../../certs/index.js';
import { describeSource } from '../../certs/read-inputs.js';
import { ProtectedFileOpener } from '../../certs/file-opener.js';
import { UsageError, type CliCommand, type CliIo } from '../command.js';

const USAGE = `  winc-cert inspect FILE... [--json] [--main-h] [--password P] [--server-address ADDR] [--firmware VERSION] [--at DATE]

  Reads certificates and keys (PEM, DER, PKCS#12), classifies them for the WINC module,
  orders the module's chain, and prints the provisioning plan and every finding.
  Exit code 1 when any finding is an error.

  --json                 print the analysis as JSON (never contains key material)
  --main-h               print only the root_tls_certs_name[] table for Microchip's example main.h
  --password P           password for .p12/.pfx files and encrypted keys
  --server-address ADDR  host name or IP of the HTTPS server the module fetches from
  --firmware VERSION     module firmware, e.g. 19.6 (default) or 19.7.7
  --at DATE              check validity at DATE (ISO 8601) instead of now`;

interface InspectArgs {
  files: string[];
  json: boolean;
  mainH: boolean;
  password?: string;
  serverAddress?: string;
  firmware?: string;
  at?: Date;
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'classify certificate/key files and print the provisioning plan and findings',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(`Usage:\n${USAGE}\n`);
      return 0;
    }
    const args = parseArgs(argv);
    const loaded = await loadIntakeInputs(args.files, args.password !== undefined ? { password: args.password } : {});
    // Protected files are opened in a worker with a time limit, as in the app.
    const opener = new ProtectedFileOpener();
    const inputs = [];
    try {
      for (const input of loaded) inputs.push(await opener.open(input));
    } finally {
      await opener.close();
    }
    const result = analyzeIntake(inputs, {
      now: args.at ?? new Date(),
      ...(args.firmware ? { firmware: args.firmware } : {}),
      ...(args.serverAddress ? { serverAddress: args.serverAddress } : {}),
    });
    const view = intakeView(result);
    if (args.json) io.stdout(`${JSON.stringify(view, null, 2)}\n`);
    else if (args.mainH) io.stdout(view.mainH);
    else io.stdout(formatReport(view));
    return view.ok ? 0 : 1;
  },
};

function parseArgs(argv: string[]): InspectArgs {
  const args: InspectArgs = { files: [], json: false, mainH: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--json') args.json = true;
    else if (arg === '--main-h') args.mainH = true;
    else if (arg === '--password') args.password = value();
    else if (arg === '--server-address') args.serverAddress = value();
    else if (arg === '--firmware') args.firmware = value();
    else if (arg === '--at') {
      const text = value();
      const date = new Date(text);
      if (Number.isNaN(date.getTime())) throw new UsageError(`--at: '${text}' is not a date; use ISO 8601, e.g. 2030-01-31`);
      args.at = date;
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else args.files.push(arg);
  }
  if (args.files.length === 0) throw new UsageError('give at least one certificate or key file');
  if (args.json && args.mainH) throw new UsageError('--json and --main-h cannot be combined');
  return args;
}

/** The human-readable report. */
export function formatReport(view: IntakeView): string {
  const out: string[] = [];
  const byId = new Map(view.items.map((item) => [item.id, item]));
  const name = (id: string) => {
    const item = byId.get(id);
    if (!item) return id;
    const where = describeSource({ fileName: item.fileName, fileIndex: 0, part: item.part, container: item.container });
    return item.type === 'certificate' ? `"${item.commonName}" (${where})` : `${item.key} private key (${where})`;
  };

  out.push(`Firmware ${view.firmware}: ${view.items.length} item(s) read.`, '', 'Classification');
  if (view.items.length === 0) out.push('  (nothing readable)');
  for (const item of view.items) {
    const validity = item.notAfter ? `  valid ${item.notBefore!.slice(0, 10)} to ${item.notAfter.slice(0, 10)}` : '';
    out.push(`  ${(item.refused ? 'REFUSED' : item.role).padEnd(12)}  ${name(item.id)}  ${item.key}${validity}`);
    out.push(`  ${''.padEnd(12)}  ${item.reason}`);
  }

  for (const chain of view.chains) {
    out.push('', `Module chain (${chain.certType}), leaf to root: numOfChainCert = ${chain.numOfChainCert}`);
    chain.order.forEach((id, index) => out.push(`  ${index + 1}. ${name(id)}`));
    if (chain.keyItemId) out.push(`  key: ${name(chain.keyItemId)}`);
    if (!chain.endsAtRoot) out.push('  (the chain does not reach a self-signed root)');
  }

  out.push('', 'Provisioning plan (root_tls_certs_name[])');
  const rows = view.plan.map((entry) => [String(entry.index), entry.certType, String(entry.numOfChainCert), entry.fileName, `${name(entry.itemId)}${entry.secret ? ' [secret]' : ''}`]);
  out.push(...table(['#', 'cert_type', 'numOfChainCert', 'filename', 'from'], rows));

  const sections = view.sections.map((s) => `${s.section} ${s.usedBytes}/${s.capacityBytes} bytes`).join(', ');
  out.push('', `Flash: ${sections}`);

  out.push('', `Findings: ${view.counts.error} error(s), ${view.counts.warning} warning(s), ${view.counts.info} note(s)`);
  for (const f of view.findings) out.push(`  ${f.severity.padEnd(7)} [${f.code}] ${f.message}`);
  out.push('', view.ok ? 'Ready to provision.' : 'Not ready: fix the errors above.', '');
  return out.join('\n');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, column) => Math.max(h.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}`;
  return [line(header), ...rows.map(line)];
}
