/**
 * Regenerates src-main/flash-map/known-roots.generated.ts, the table that names the roots a
 * module holds (by WINC name hash), from
 *   - the roots of the known factory root stores, committed in scripts/root-names/factory-roots/
 *     (see the README there), and
 *   - a public CA list: Debian's ca-certificates (/usr/share/ca-certificates/mozilla by default).
 *
 *   npm run gen:root-names                     # write the table
 *   npm run gen:root-names -- --check          # exit 1 when the committed table differs
 *   npm run gen:root-names -- --ca-dir DIR     # another folder of PEM CA certificates
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { splitPem } from '../src-main/certs/pem.js';
import { buildRootNameTable, renderRootNameTable, type RootNameOrigin } from '../src-main/flash-map/root-name-table.js';
import { parseCertificate, type ParsedCertificate } from '../src-main/x509/certificate.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FACTORY_ROOTS_DIR = path.join(ROOT, 'scripts', 'root-names', 'factory-roots');
const TABLE_FILE = path.join(ROOT, 'src-main', 'flash-map', 'known-roots.generated.ts');
const DEFAULT_CA_DIR = '/usr/share/ca-certificates/mozilla';

function readCertificates(dir: string, origin: RootNameOrigin): { certificate: ParsedCertificate; origin: RootNameOrigin }[] {
  const out: { certificate: ParsedCertificate; origin: RootNameOrigin }[] = [];
  for (const name of readdirSync(dir).sort()) {
    const bytes = new Uint8Array(readFileSync(path.join(dir, name)));
    const ders = name.endsWith('.der') ? [bytes] : splitPem(bytes).filter((block) => block.label === 'CERTIFICATE').map((block) => block.der);
    for (const der of ders) {
      try {
        out.push({ certificate: parseCertificate(der), origin });
      } catch (error) {
        console.warn(`skipped ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return out;
}

function main(): number {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, 'ca-dir': { type: 'string' } } });
  const caDir = values['ca-dir'] ?? DEFAULT_CA_DIR;
  if (!existsSync(caDir)) {
    console.error(`No public CA list at ${caDir}: install Debian's ca-certificates (sudo apt-get install ca-certificates) or pass --ca-dir.`);
    return 2;
  }
  const factory = readCertificates(FACTORY_ROOTS_DIR, 'factory');
  const publicCas = readCertificates(caDir, 'public');
  const entries = buildRootNameTable([...factory, ...publicCas]);
  const text = renderRootNameTable(entries, [
    `${factory.length} factory-store roots from scripts/root-names/factory-roots`,
    `${publicCas.length} public CAs from ${caDir}`,
  ]);
  if (values.check) {
    const committed = existsSync(TABLE_FILE) ? readFileSync(TABLE_FILE, 'utf8') : '';
    if (committed === text) {
      console.log(`${path.relative(ROOT, TABLE_FILE)} is up to date (${entries.length} names).`);
      return 0;
    }
    console.error(`${path.relative(ROOT, TABLE_FILE)} differs from what the inputs give: run npm run gen:root-names.`);
    return 1;
  }
  writeFileSync(TABLE_FILE, text);
  console.log(`Wrote ${entries.length} names to ${path.relative(ROOT, TABLE_FILE)} (${entries.filter((e) => e.origin === 'factory').length} from factory stores).`);
  return 0;
}

process.exitCode = main();
