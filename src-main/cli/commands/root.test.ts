import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../x509/certificate.js';
import { decodeRootSection, encodeRootBlob, rootEntryFromCertificate } from '../../store/root-store.js';
import { differencesOutside, loadManifest, VECTORS_DIR, vectorInput, vectorOutput, type ManifestEntry } from '../../store/test-fixtures.js';
import { runCli } from '../winc-cert.js';

const work = mkdtempSync(join(tmpdir(), 'winc-root-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** The Microchip tools' outputs and the CLI options that reproduce each. */
const TOOL_OPTIONS: Record<string, string[]> = {
  mchp_c_downloader: [],
  mchp_c_harmony: ['--start-date', 'zero'],
  pywinc: ['--blob'],
};

const vectors = loadManifest().filter((v) => v.output.startsWith('root/') && v.tool in TOOL_OPTIONS);
const inputPaths = (v: ManifestEntry) => v.inputs.map((name) => join(VECTORS_DIR, 'inputs', name));

describe('winc-cert root build reproduces the Microchip vectors', () => {
  it('covers every Microchip root vector', () => expect(vectors.length).toBe(18));

  it.each(vectors.filter((v) => v.exit_code === 0 && v.id !== 'Q03_flash_full').map((v) => [`${v.id}/${v.tool}`, v] as const))('%s', async (name, vector) => {
    const out = join(work, `${name.replace('/', '_')}.bin`);
    const result = await cli(['root', 'build', ...TOOL_OPTIONS[vector.tool]!, ...inputPaths(vector), '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const produced = new Uint8Array(readFileSync(out));
    expect(produced.length).toBe(vector.size);
    expect(differencesOutside(produced, vectorOutput(vector), vector.dont_care_ranges)).toEqual([]);
  });
});

describe('Q03: the eighth RSA-4096 root does not fit', () => {
  const q03 = vectors.filter((v) => v.id === 'Q03_flash_full');

  it.each(q03.map((v) => [v.tool, v] as const))('%s options: exits non-zero, writes nothing, names the certificate and the overflow', async (tool, vector) => {
    const out = join(work, `q03-${tool}.bin`);
    const result = await cli(['root', 'build', ...TOOL_OPTIONS[tool]!, ...inputPaths(vector), '--out', out]);
    expect(result.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(result.stderr).toContain('full_Buypass_Class_2_Root_CA.der');
    expect(result.stderr).toContain('404 more bytes');
    expect(result.stderr).toContain('[ROOT_STORE_FULL]');
    expect(result.stdout).toBe('');
  });

  it("the seven that fit give Microchip's section (the tool wrote those and refused the eighth)", async () => {
    const vector = q03.find((v) => v.tool === 'mchp_c_downloader')!;
    const out = join(work, 'q03-seven.bin');
    expect((await cli(['root', 'build', ...inputPaths(vector).slice(0, 7), '--out', out])).code).toBe(0);
    expect(differencesOutside(new Uint8Array(readFileSync(out)), vectorOutput(vector), vector.dont_care_ranges)).toEqual([]);
    const harmony = q03.find((v) => v.tool === 'mchp_c_harmony')!;
    expect((await cli(['root', 'build', '--start-date', 'zero', ...inputPaths(vector).slice(0, 7), '--out', out])).code).toBe(0);
    expect(differencesOutside(new Uint8Array(readFileSync(out)), vectorOutput(harmony), harmony.dont_care_ranges)).toEqual([]);
  });

  it("pywinc's over-size blob (it has no capacity check) is what the blob encoder gives without the section", () => {
    const vector = q03.find((v) => v.tool === 'pywinc')!;
    const entries = vector.inputs.map((name) => rootEntryFromCertificate(parseCertificate(vectorInput(name))));
    expect(differencesOutside(encodeRootBlob(entries, 'v1'), vectorOutput(vector))).toEqual([]);
  });
});

describe('merge semantics through the CLI', () => {
  const input = (name: string) => join(VECTORS_DIR, 'inputs', name);

  it('adds to a base, leaves an identical certificate alone and replaces by subject without corrupting the next entry', async () => {
    const first = join(work, 'merge-1.bin');
    expect((await cli(['root', 'build', input('ca_rsa2048.der'), input('ec_p256.der'), '--out', first])).code).toBe(0);
    const second = join(work, 'merge-2.bin');
    const result = await cli(['root', 'build', '--base', first, input('ca_rsa2048.der'), input('real_ISRG_Root_X1.der'), '--json', '--out', second]);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { changes: { label: string; action: string }[]; entries: number };
    expect(summary.changes.map((c) => c.action)).toEqual(['unchanged', 'added']);
    expect(summary.entries).toBe(3);

    // Same subject, different dates (start date zeroed): replaced in place, store repacked.
    const third = join(work, 'merge-3.bin');
    const replaced = await cli(['root', 'build', '--base', second, '--start-date', 'zero', input('ca_rsa2048.der'), '--json', '--out', third]);
    expect((JSON.parse(replaced.stdout) as { changes: { action: string }[] }).changes[0]!.action).toBe('replaced');
    const decoded = decodeRootSection(new Uint8Array(readFileSync(third)));
    expect(decoded.count).toBe(3);
    expect(decoded.entries[0]!.notBefore).toBeNull();
    expect(decoded.entries.map((e) => e.publicKey.kind)).toEqual(['rsa', 'ec', 'rsa']);
    expect(decoded.warnings).toEqual([]);
  });

  it('accepts PEM whatever the extension, and several certificates in one PEM file', async () => {
    const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(vectorInput(name)).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
    const bundle = join(work, 'bundle.der');
    writeFileSync(bundle, pem('ca_rsa2048.der') + pem('real_Amazon_Root_CA_3.der'));
    const out = join(work, 'pem.bin');
    const result = await cli(['root', 'build', bundle, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bundle.der#2');
    expect(decodeRootSection(new Uint8Array(readFileSync(out))).count).toBe(2);
  });

  it('root erase writes an all-0xFF section that decodes as erased', async () => {
    const out = join(work, 'erased.bin');
    expect((await cli(['root', 'erase', '--out', out])).code).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    expect(bytes.length).toBe(4096);
    expect(bytes.every((b) => b === 0xff)).toBe(true);
    expect(decodeRootSection(bytes).erased).toBe(true);
  });

  it('firmware 19.4 writes a V0 store; WINC3400 writes 36-byte entries', async () => {
    const v0 = join(work, 'v0.bin');
    expect((await cli(['root', 'build', '--firmware', '19.4', input('ca_rsa2048.der'), '--out', v0])).code).toBe(0);
    expect(decodeRootSection(new Uint8Array(readFileSync(v0))).format).toBe('v0');
    const ec = await cli(['root', 'build', '--firmware', '19.4', input('ec_p256.der'), '--out', v0]);
    expect(ec.code).toBe(1);
    expect(ec.stderr).toContain('[ROOT_FORMAT_RSA_ONLY]');
    const w34 = join(work, 'w34.bin');
    expect((await cli(['root', 'build', '--module', 'winc3400', input('ec_p256.der'), '--out', w34])).code).toBe(0);
    const decoded = decodeRootSection(new Uint8Array(readFileSync(w34)), { module: 'winc3400' });
    expect(decoded.format).toBe('winc3400');
    expect(decoded.entries[0]!.size).toBe(36 + 64);
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['root', 'build', input('ca_rsa2048.der')])).code).toBe(2);
    expect((await cli(['root', 'build', '--firmware', '18.0', input('ca_rsa2048.der'), '--out', join(work, 'x.bin')])).code).toBe(2);
    expect((await cli(['root', 'build', '--start-date', 'later', input('ca_rsa2048.der'), '--out', join(work, 'x.bin')])).code).toBe(2);
    expect((await cli(['root', 'frobnicate'])).code).toBe(2);
  });

  it('a missing file is a clear error, not a crash', async () => {
    const result = await cli(['root', 'build', join(work, 'nope.der'), '--out', join(work, 'x.bin')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no such file');
  });
});

describe('Arduino plugin vectors (not Microchip tools; matched where Arduino agrees with Microchip)', () => {
  const arduino = loadManifest().filter((v) => v.output.startsWith('root/') && v.tool.startsWith('arduino_') && v.exit_code === 0 && v.output.endsWith('.bin') && v.size <= 4096);

  it.each(arduino.map((v) => [`${v.id}/${v.tool}`, v] as const))('%s: V0 via --firmware 19.4, V1 with 0xCC pads, as blobs', async (name, vector) => {
    const out = join(work, `${name.replace('/', '_')}.bin`);
    const options = vector.tool === 'arduino_v0' ? ['--firmware', '19.4'] : ['--pad-byte', '0xcc'];
    expect((await cli(['root', 'build', '--blob', ...options, ...inputPaths(vector), '--out', out])).code).toBe(0);
    expect(differencesOutside(new Uint8Array(readFileSync(out)), vectorOutput(vector))).toEqual([]);
  });
});
