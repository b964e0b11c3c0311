import { describe, expect, it } from 'vitest';
import { decodeOid, readChildren, readSingle } from '../asn1/der.js';
import { CaError } from './errors.js';
import { parseName } from './names.js';
import { compileTemplate, normaliseMac, renderNames } from './template.js';

const UID = 'ABCDEF0123456789abcdef0123456789';

function failure(run: () => unknown): string {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return `${(error as CaError).code}: ${(error as Error).message}`;
  }
}

describe('identity templates', () => {
  it('renders {uid}, {mac}, {mac:colon}, {serial}, {serial:N} and literal braces', () => {
    const template = compileTemplate({ subject: 'CN=dev-{uid}, OU=line {serial:4}, UID={{x}}-{mac:colon}', subjectAltNames: ['DNS:{mac}.example.com', 'URI:urn:x:{serial}', 'email:{uid}@acme.example', 'IP:10.0.0.1'] });
    const names = renderNames(template, { uid: UID, mac: 'F8-F0-05-AB-CD-EF', serial: 7 });
    expect(names.subjectText).toBe('CN=dev-abcdef0123456789abcdef0123456789, OU=line 0007, UID={x}-f8:f0:05:ab:cd:ef');
    expect(names.subjectAltNames).toEqual(['DNS:f8f005abcdef.example.com', 'URI:urn:x:7', 'email:abcdef0123456789abcdef0123456789@acme.example', 'IP:10.0.0.1']);
    expect(template.uses).toEqual({ uid: true, mac: true, serial: true });
  });

  it('encodes the subject in the order typed, one SET per RDN, PrintableString for C and serialNumber', () => {
    const names = renderNames(compileTemplate({ subject: 'C=DE, O=Acme\\, Inc., CN=board-{uid}+serialNumber={serial}' }), { uid: UID, serial: 12 });
    expect(names.subjectText).toBe('C=DE, O=Acme, Inc., CN=board-abcdef0123456789abcdef0123456789+serialNumber=12');
    const rdns = readChildren(readSingle(names.subjectDer)).map((set) =>
      readChildren(set).map((atv) => {
        const [oid, value] = readChildren(atv);
        return `${decodeOid(oid!.value)}:${value!.tag}:${Buffer.from(value!.value).toString()}`;
      }),
    );
    expect(rdns).toEqual([['2.5.4.6:19:DE'], ['2.5.4.10:12:Acme, Inc.'], ['2.5.4.5:19:12', '2.5.4.3:12:board-abcdef0123456789abcdef0123456789']]);
  });

  it('says what is wrong with a template, at setup', () => {
    expect(failure(() => compileTemplate({ subject: 'CN=board-{board}' }))).toMatch(/^UNKNOWN_PLACEHOLDER: Unknown placeholder \{board\} in CN in the subject template; the placeholders are \{uid\}/u);
    expect(failure(() => compileTemplate({ subject: 'CN=board-{uid' }))).toMatch(/^BAD_TEMPLATE: "\{" without a closing "\}"/u);
    expect(failure(() => compileTemplate({ subject: 'CN=board-uid}' }))).toMatch(/^BAD_TEMPLATE: A lone "\}"/u);
    expect(failure(() => compileTemplate({ subject: 'CN=board' }))).toMatch(/^BAD_TEMPLATE: .*holds no placeholder/u);
    expect(failure(() => compileTemplate({ subject: 'Cn=a-{uid}, Foo=bar' }))).toMatch(/^BAD_NAME: Unknown attribute type "Foo"/u);
    expect(failure(() => compileTemplate({ subject: 'CN {uid}' }))).toMatch(/^BAD_NAME: "CN \{uid\}" .* has no "="/u);
    expect(failure(() => compileTemplate({ subject: 'CN=a-{uid},, O=x' }))).toMatch(/^BAD_NAME: .*empty part/u);
    expect(failure(() => compileTemplate({ subject: 'CN=a-very-long-prefix-for-the-common-name-{uid}' }))).toMatch(/^BAD_NAME: CN in the subject is 71 characters .* at most 64/u);
    expect(failure(() => compileTemplate({ subject: 'serialNumber={uid}_x' }))).toMatch(/^BAD_NAME: serialNumber .* only letters/u);
    expect(failure(() => compileTemplate({ subject: 'CN={uid}', subjectAltNames: ['DNS:{mac:colon}.x'] }))).toMatch(/^BAD_TEMPLATE: \{mac:colon\} cannot go in a DNS name/u);
    expect(failure(() => compileTemplate({ subject: 'CN={uid}', subjectAltNames: ['DNS:dev_{uid}.x'] }))).toMatch(/^BAD_NAME: .*is not a DNS name/u);
    expect(failure(() => compileTemplate({ subject: 'CN={uid}', subjectAltNames: ['foo:bar'] }))).toMatch(/^BAD_TEMPLATE: .*must start with DNS:, URI:, email: or IP:/u);
    expect(failure(() => compileTemplate({ subject: 'CN={uid}', subjectAltNames: ['URI:no scheme {uid}'] }))).toMatch(/^BAD_NAME: .*is not a URI/u);
    expect(failure(() => compileTemplate({ subject: 'CN={serial:0}' }))).toMatch(/^BAD_TEMPLATE: .*1 to 20 digits/u);
  });

  it('says what is missing for a board', () => {
    const template = compileTemplate({ subject: 'CN={uid}-{mac}-{serial}' });
    expect(failure(() => renderNames(template, { uid: UID, serial: 1 }))).toMatch(/^MISSING_VALUE: .*uses \{mac\}/u);
    expect(failure(() => renderNames(template, { uid: UID, mac: '00:11:22:33:44:55' }))).toMatch(/^MISSING_VALUE: .*uses \{serial\}/u);
    expect(failure(() => renderNames(template, { uid: 'xyz', mac: '00:11:22:33:44:55', serial: 1 }))).toMatch(/^MISSING_VALUE: "xyz" is not a board id/u);
    expect(failure(() => normaliseMac('00:11:22'))).toMatch(/^MISSING_VALUE: .*not a MAC address/u);
  });
});

describe('distinguished names', () => {
  it('reads comma and slash forms in certificate order, with escapes and multi-valued RDNs', () => {
    const flat = (text: string) => parseName(text).map((rdn) => rdn.map((a) => `${a.spec.name}=${a.value}`).join('+'));
    expect(flat('C=DE, O=Acme\\, Inc., CN=x')).toEqual(['C=DE', 'O=Acme, Inc.', 'CN=x']);
    expect(flat('/C=DE/O=A\\/B, C/CN=x+serialNumber=1')).toEqual(['C=DE', 'O=A/B, C', 'CN=x+serialNumber=1']);
    expect(flat('commonName = spaced ,o=lower')).toEqual(['CN=spaced', 'O=lower']);
  });
});
