import { describe, expect, it } from 'vitest';
import { readPrivateKey } from '../keys/private-key.js';
import { parseCertificate } from '../x509/certificate.js';
import { getFlashLayout } from './flash-layout.js';
import { decodePrivKeyFile, encodePrivKeyFile } from './priv-key-file.js';
import { certificateFileName, planTlsStore } from './tls-chain.js';
import { decodeTlsSection, emptyTlsSection, encodeTlsSection, storeFilesOf } from './tls-store.js';
import { differencesOutside, loadManifest, realSections, vectorInput, vectorOutput } from './test-fixtures.js';

const layout196 = getFlashLayout('winc1500', '19.6');
const layout195 = getFlashLayout('winc1500', '19.5.4');
const tlsVectors = loadManifest().filter((v) => v.output.startsWith('tls/'));
const cert = (name: string) => ({ label: name, cert: parseCertificate(vectorInput(name)) });

describe('TLS vectors decode to the manifest summary', () => {
  it.each(tlsVectors.map((v) => [v.id, v] as const))('%s', (_id, vector) => {
    const decoded = decodeTlsSection(vectorOutput(vector), layout196);
    expect(decoded.headerSize).toBe(468);
    expect(decoded.count).toBe(vector.decoded!.count);
    expect(`0x${decoded.nextWriteAddress.toString(16)}`).toBe(vector.decoded!.next_write_addr);
    expect(decoded.crcStatus).toBe('unset');
    expect(decoded.files.map((f) => ({ name: f.name, size: f.size, addr: `0x${f.address.toString(16)}`, rel_offset: f.offset }))).toEqual(
      vector.decoded!.files!.map((f) => ({ name: f.name, size: f.size, addr: f.addr, rel_offset: f.rel_offset })),
    );
    expect(decoded.warnings).toEqual([]);
    expect(decoded.chains).toHaveLength(1);
    expect(decoded.chains[0]!.certificates.every((c) => c.certificate !== null)).toBe(true);
  });
});

describe('TLS store encoding (engine level; the CLI test covers the same vectors end to end)', () => {
  it('T01: RSA key + chain reproduces Microchip byte for byte outside the don\'t-care ranges', () => {
    const vector = tlsVectors.find((v) => v.id === 'T01_rsa_chain_pkcs8')!;
    const plan = planTlsStore(null, [{ certificates: [cert('server_rsa2048.der'), cert('ca_rsa2048.der')], key: { label: 'k', key: readPrivateKey(vectorInput('server_rsa2048.key')) } }], layout196);
    expect(differencesOutside(encodeTlsSection(plan.files, layout196), vectorOutput(vector), vector.dont_care_ranges)).toEqual([]);
  });

  it('T03: ECDSA chain without key file', () => {
    const vector = tlsVectors.find((v) => v.id === 'T03_ecdsa_chain')!;
    const plan = planTlsStore(null, [{ certificates: [cert('server_p256.der'), cert('ca_rsa2048.der')] }], layout196);
    expect(differencesOutside(encodeTlsSection(plan.files, layout196), vectorOutput(vector), vector.dont_care_ranges)).toEqual([]);
  });

  it('CERT_ names use the DER serial octets, leading zero included', () => {
    expect(certificateFileName(parseCertificate(vectorInput('server_rsa2048.der')))).toBe('CERT_00c0ffee12');
    expect(certificateFileName(parseCertificate(vectorInput('ca_rsa2048.der')))).toBe('CERT_01');
  });

  it('the CRC option stores CRC-32 over the files and the decoder checks it', () => {
    const plan = planTlsStore(null, [{ certificates: [cert('server_p256.der'), cert('ca_rsa2048.der')] }], layout196);
    const section = encodeTlsSection(plan.files, layout196, { crc: 'crc32' });
    expect(decodeTlsSection(section).crcStatus).toBe('valid');
    section[0x1d4 + 10] = section[0x1d4 + 10]! ^ 1;
    expect(decodeTlsSection(section).crcStatus).toBe('mismatch');
  });

  it('an empty store has the pattern, count 0 and the next address after the header', () => {
    const decoded = decodeTlsSection(emptyTlsSection(layout196));
    expect(decoded).toMatchObject({ erased: false, count: 0, nextWriteAddress: 0x51d4, headerSize: 468, files: [] });
  });
});

describe('real TLS sections', () => {
  const sections = realSections('tls_');
  it('finds both', () => expect(sections).toHaveLength(2));

  it.each(sections.map((s) => [s.name, s] as const))('%s decodes, and re-encoding its files reproduces it exactly', (name, section) => {
    const headerSize = name.includes('464') ? 464 : 468;
    const layout = headerSize === 464 ? layout195 : layout196;
    const decoded = decodeTlsSection(section.bytes);
    expect(decoded.headerSize).toBe(headerSize);
    expect(decoded.warnings).toEqual([]);
    expect(decoded.chains.every((chain) => chain.certificates.every((c) => c.certificate))).toBe(true);
    const rsa = decoded.chains.find((chain) => chain.kind === 'rsa')!;
    expect(rsa.privateKey?.key?.bits).toBe(2048);
    expect(differencesOutside(encodeTlsSection(storeFilesOf(decoded), layout), section.bytes)).toEqual([]);
  });

  it("19.5.4: the RSA chain then an appended ECDSA chain rebuilds Microchip's section (outside list-name tails and key pad bytes)", () => {
    const section = sections.find((s) => s.name.includes('19.5.4'))!.bytes;
    const decoded = decodeTlsSection(section);
    const rsa = decoded.chains.find((chain) => chain.kind === 'rsa')!;
    const ecdsa = decoded.chains.find((chain) => chain.kind === 'ecdsa')!;
    const asInput = (chain: typeof rsa) => chain.certificates.map((c) => ({ label: c.name, cert: c.certificate! }));
    const key = rsa.privateKey!.key!;
    const first = planTlsStore(null, [{ certificates: asInput(rsa), key: { label: 'key', key } }], layout195, { privateKeyFile: { pointerBase: rsa.privateKey!.pointers![0]! - 52 } });
    const rsaOnly = encodeTlsSection(first.files, layout195);
    const appended = planTlsStore(decodeTlsSection(rsaOnly), [{ certificates: asInput(ecdsa) }], layout195);
    expect(appended.changes.filter((c) => c.action === 'already-stored').map((c) => c.name)).toEqual(['CERT_00def74d6dfa50e85c']);
    const rebuilt = encodeTlsSection(appended.files, layout195);
    const listTails = decoded.files.filter((f) => f.name.endsWith('.lst')).map((f) => {
      const entry = 16 + decoded.files.indexOf(f) * 56;
      return [entry + f.name.length + 1, entry + 48] as [number, number];
    });
    // The PRIV_ element pad bytes are uninitialised memory in Microchip's tool (here the one after e).
    const priv = decoded.files.find((f) => f.kind === 'rsa-private-key')!;
    const padAfterE = priv.offset + 52 + 256 + 3;
    expect(differencesOutside(rebuilt, section, [...listTails, [padAfterE, padAfterE + 1]])).toEqual([]);
  });
});

describe('PRIV_ file', () => {
  it('round-trips and matches the 1208-byte RSA-2048 layout', () => {
    const key = readPrivateKey(vectorInput('server_rsa2048.key'));
    if (key.kind !== 'rsa') throw new Error('expected RSA');
    const file = encodePrivKeyFile(key);
    expect(file.length).toBe(1208);
    const decoded = decodePrivKeyFile(file);
    expect(decoded.key).toEqual(key);
    expect(decoded.pointers[1]! - decoded.pointers[0]!).toBe(256);
  });
});

describe('the kept tail: the last two pages of the TLS section', () => {
  const thingName = Uint8Array.from([...Buffer.from('my-thing-0001', 'ascii'), 0]);
  const endpoint = Uint8Array.from([...Buffer.from('abc-ats.iot.us-east-1.amazonaws.com', 'ascii'), 0]);
  const seeded = (): Uint8Array => {
    const section = new Uint8Array(8192).fill(0xff);
    section.set(endpoint, 0x1e00);
    section.set(thingName, 0x1f00);
    return section;
  };
  const chain = { certificates: [cert('server_rsa2048.der'), cert('ca_rsa2048.der')], key: { label: 'k', key: readPrivateKey(vectorInput('server_rsa2048.key')) } };

  it('copies the tail of the section it replaces, byte for byte, and erases it when given none', () => {
    const files = planTlsStore(null, [chain], layout196).files;
    const kept = encodeTlsSection(files, layout196, { keepTailFrom: seeded() });
    expect(Buffer.from(kept.subarray(0x1e00))).toEqual(Buffer.from(seeded().subarray(0x1e00)));
    expect(Buffer.from(kept.subarray(0, 0x1e00))).toEqual(Buffer.from(encodeTlsSection(files, layout196).subarray(0, 0x1e00)));
    expect(encodeTlsSection(files, layout196).subarray(0x1e00).every((b) => b === 0xff)).toBe(true);
    expect(Buffer.from(emptyTlsSection(layout196, seeded()).subarray(0x1f00, 0x1f00 + thingName.length))).toEqual(Buffer.from(thingName));
    expect(decodeTlsSection(kept, layout196).warnings).toEqual([]);
  });

  it('refuses a store that would reach into the tail, with the byte count', () => {
    const filler = (n: number, size: number) => ({ name: `CERT_${n}`, data: new Uint8Array(size).fill(n) });
    // 468 header + 7212 = 7680: exactly up to the tail fits.
    expect(() => encodeTlsSection([filler(1, 7212)], layout196)).not.toThrow();
    expect(() => encodeTlsSection([filler(1, 7213)], layout196)).toThrow(/would need 1 more byte than the 7680 bytes it may use/);
    expect(() => encodeTlsSection([filler(1, 7212)], layout195)).not.toThrow(); // 464-byte header: 4 bytes spare
  });

  it('reports the room left before the tail, and warns about a store that reaches into it', () => {
    const files = planTlsStore(null, [chain], layout196);
    expect(files.capacityBytes).toBe(7680);
    const decoded = decodeTlsSection(encodeTlsSection(files.files, layout196), layout196);
    expect(decoded.freeBytes).toBe(7680 - decoded.endOffset);
    const foreign = encodeTlsSection([{ name: 'CERT_1', data: new Uint8Array(7000).fill(1) }], layout196);
    // another tool's store whose file runs past 0x6E00 (size field patched to 7600): decoded, with a warning
    const grown = Uint8Array.from(foreign);
    grown.set([0xb0, 0x1d], 16 + 48);
    const warned = decodeTlsSection(grown, layout196);
    expect(warned.warnings.some((w) => /last two pages/.test(w))).toBe(true);
    expect(warned.freeBytes).toBe(0);
  });
});
