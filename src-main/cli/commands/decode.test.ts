import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REAL_SECTIONS_DIR, realSections, VECTORS_DIR } from '../../store/test-fixtures.js';
import { runCli } from '../winc-cert.js';

const work = mkdtempSync(join(tmpdir(), 'winc-decode-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

interface Report {
  container: string;
  sections: { kind: string; generation?: string; format?: string; headerSize?: number; count?: number; freeBytes?: number; entries?: { subject: string | null; keyType: string }[]; files?: unknown[]; chains?: { kind: string; privateKey: { matchesLeaf: boolean } | null }[]; warnings?: string[] }[];
}

describe('winc-cert decode', () => {
  it.each(realSections('').map((s) => [s.name] as const))('%s: detects kind and generation', async (name) => {
    const result = await cli(['decode', join(REAL_SECTIONS_DIR, name), '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const section = report.sections[0]!;
    if (name.startsWith('root_')) {
      expect(section.kind).toBe('root');
      expect(section.format).toBe(name.includes('_V0') ? 'v0' : 'v1');
      expect(section.entries!.length).toBe(section.count);
    } else {
      expect(section.kind).toBe('tls');
      expect(section.headerSize).toBe(name.includes('464') ? 464 : 468);
      expect(section.chains!.find((c) => c.kind === 'rsa')!.privateKey!.matchesLeaf).toBe(true);
    }
    expect(section.warnings).toEqual([]);
    const text = await cli(['decode', join(REAL_SECTIONS_DIR, name)]);
    expect(text.stdout).toContain(name.startsWith('root_') ? 'Root certificate store' : 'TLS server store');
  });

  it('names entries whose subject matches a --match certificate', async () => {
    const section = join(work, 'm.bin');
    const input = (n: string) => join(VECTORS_DIR, 'inputs', n);
    expect((await cli(['root', 'build', input('ca_rsa2048.der'), input('real_Amazon_Root_CA_3.der'), '--out', section])).code).toBe(0);
    const report = JSON.parse((await cli(['decode', section, '--json', '--match', input('real_Amazon_Root_CA_3.der')])).stdout) as Report;
    expect(report.sections[0]!.entries!.map((e) => [e.keyType, e.subject])).toEqual([
      ['RSA', null],
      ['ECDSA', 'C=US, O=Amazon, CN=Amazon Root CA 3'],
    ]);
  });

  it('decodes both stores of a whole flash image', async () => {
    const image = new Uint8Array(512 * 1024).fill(0xff);
    image.set(new Uint8Array(readFileSync(join(REAL_SECTIONS_DIR, 'root_19.5.4_arduino_V1.bin'))), 0x4000);
    image.set(new Uint8Array(readFileSync(join(REAL_SECTIONS_DIR, 'tls_19.6.1_arduino_hdr468.bin'))), 0x5000);
    const path = join(work, 'image.bin');
    writeFileSync(path, image);
    const result = await cli(['decode', path, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.container).toBe('flash-image');
    expect(report.sections.map((s) => [s.kind, s.count])).toEqual([
      ['root', 12],
      ['tls', 3],
    ]);
  });

  it('erased sections decode as erased; garbage is a typed error with advice', async () => {
    const erased = join(work, 'erased.bin');
    writeFileSync(erased, new Uint8Array(4096).fill(0xff));
    expect((await cli(['decode', erased])).stdout).toContain('erased');
    const garbage = join(work, 'garbage.bin');
    writeFileSync(garbage, new Uint8Array(4096).fill(0x42));
    const result = await cli(['decode', garbage]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[SECTION_KIND_UNKNOWN]');
    const truncated = join(work, 'truncated.bin');
    writeFileSync(truncated, readFileSync(join(REAL_SECTIONS_DIR, 'root_19.5.4_arduino_V1.bin')).subarray(0, 1000));
    expect((await cli(['decode', truncated])).stderr).toContain('[ROOT_COUNT_OVERRUN]');
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['decode'])).code).toBe(2);
    expect((await cli(['decode', 'a', 'b'])).code).toBe(2);
    expect((await cli(['decode', 'a', '--kind', 'x'])).code).toBe(2);
  });
});
