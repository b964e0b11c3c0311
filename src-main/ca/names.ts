/**
 * Distinguished names as people type them, and their DER encoding.
 *
 * Two spellings, both in the order the certificate holds them (the order
 * `openssl x509 -noout -subject` prints):
 *   comma form  `C=DE, O=Acme GmbH, CN=board-1`   (`\,` `\+` `\\` escape)
 *   slash form  `/C=DE/O=Acme GmbH/CN=board-1`   (what `openssl req -subj` takes; `\/` escapes)
 * `+` joins attributes into one multi-valued RDN. Pure.
 */
import { derOid, derPrintableString, derSequence, derSet, derIa5String, derUtf8String } from './der-writer.js';
import { CaError } from './errors.js';

export interface AttributeSpec {
  /** The short name we print. */
  name: string;
  oid: string;
  encoding: 'utf8' | 'printable' | 'ia5';
  /** Upper bound from RFC 5280's ub-* values, in characters. */
  maxLength: number;
}

const ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'CN', oid: '2.5.4.3', encoding: 'utf8', maxLength: 64 },
  { name: 'O', oid: '2.5.4.10', encoding: 'utf8', maxLength: 64 },
  { name: 'OU', oid: '2.5.4.11', encoding: 'utf8', maxLength: 64 },
  { name: 'C', oid: '2.5.4.6', encoding: 'printable', maxLength: 2 },
  { name: 'ST', oid: '2.5.4.8', encoding: 'utf8', maxLength: 128 },
  { name: 'L', oid: '2.5.4.7', encoding: 'utf8', maxLength: 128 },
  { name: 'serialNumber', oid: '2.5.4.5', encoding: 'printable', maxLength: 64 },
  { name: 'DC', oid: '0.9.2342.19200300.100.1.25', encoding: 'ia5', maxLength: 63 },
  { name: 'UID', oid: '0.9.2342.19200300.100.1.1', encoding: 'utf8', maxLength: 256 },
  { name: 'emailAddress', oid: '1.2.840.113549.1.9.1', encoding: 'ia5', maxLength: 255 },
];

const BY_NAME = new Map(ATTRIBUTES.map((spec) => [spec.name.toLowerCase(), spec]));
BY_NAME.set('commonname', BY_NAME.get('cn')!);

export const ATTRIBUTE_NAMES = ATTRIBUTES.map((spec) => spec.name);

/** One attribute as typed: its value may still hold template placeholders. */
export interface NameAttributeInput {
  spec: AttributeSpec;
  value: string;
}

/** RDNs in certificate order; each RDN one or more attributes. */
export type NameInput = NameAttributeInput[][];

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/u;
const ASCII = /^[\x20-\x7e]*$/u;

/** Splits a typed name into RDNs and attributes. Values are returned unescaped, not yet checked. */
export function parseName(text: string, what = 'subject'): NameInput {
  const trimmed = text.trim();
  if (trimmed === '') throw new CaError('BAD_NAME', `The ${what} is empty; give at least CN=…, e.g. "CN=board-{uid}, O=Acme".`);
  const slashForm = trimmed.startsWith('/');
  const rdnTexts = splitUnescaped(slashForm ? trimmed.slice(1) : trimmed, slashForm ? '/' : ',');
  return rdnTexts.map((rdnText, index) => {
    if (rdnText.trim() === '') {
      throw new CaError('BAD_NAME', `The ${what} has an empty part (#${index + 1}) in "${text}": remove the doubled ${slashForm ? '"/"' : '","'}.`);
    }
    return splitUnescaped(rdnText, '+').map((attributeText) => parseAttribute(attributeText, what, text));
  });
}

function parseAttribute(attributeText: string, what: string, whole: string): NameAttributeInput {
  const equals = indexOfUnescaped(attributeText, '=');
  if (equals < 0) {
    throw new CaError('BAD_NAME', `"${attributeText.trim()}" in the ${what} "${whole}" has no "=": write TYPE=value, e.g. CN=board-1.`);
  }
  const type = attributeText.slice(0, equals).trim();
  const spec = BY_NAME.get(type.toLowerCase());
  if (!spec) {
    throw new CaError('BAD_NAME', `Unknown attribute type "${type}" in the ${what}; use one of ${ATTRIBUTE_NAMES.join(', ')}.`);
  }
  const value = unescape(attributeText.slice(equals + 1).trim());
  if (value === '') throw new CaError('BAD_NAME', `${spec.name} in the ${what} has no value.`);
  return { spec, value };
}

/** Checks a final (placeholder-free) value against its attribute's encoding and length. */
export function checkAttributeValue(spec: AttributeSpec, value: string, what = 'subject'): void {
  const length = [...value].length;
  if (length === 0) throw new CaError('BAD_NAME', `${spec.name} in the ${what} is empty.`);
  if (spec.name === 'C' && !/^[A-Z]{2}$/u.test(value)) {
    throw new CaError('BAD_NAME', `C (country) in the ${what} must be a two-letter upper-case code such as DE or US, not "${value}".`);
  }
  if (length > spec.maxLength) {
    throw new CaError('BAD_NAME', `${spec.name} in the ${what} is ${length} characters ("${value}"); at most ${spec.maxLength} are allowed. Shorten it.`);
  }
  if (spec.encoding === 'printable' && !PRINTABLE.test(value)) {
    throw new CaError('BAD_NAME', `${spec.name} in the ${what} may hold only letters, digits, spaces and ' ( ) + , - . / : = ?; "${value}" has other characters.`);
  }
  if (spec.encoding === 'ia5' && !ASCII.test(value)) {
    throw new CaError('BAD_NAME', `${spec.name} in the ${what} must be plain ASCII; "${value}" is not.`);
  }
  if (/[\u0000-\u001f\u007f]/u.test(value)) throw new CaError('BAD_NAME', `${spec.name} in the ${what} holds control characters.`);
}

/** DER Name from final values (each checked). */
export function encodeName(name: NameInput, what = 'subject'): Uint8Array {
  const rdns = name.map((rdn) =>
    derSet(
      ...sortedForDer(
        rdn.map(({ spec, value }) => {
          checkAttributeValue(spec, value, what);
          const encoded = spec.encoding === 'printable' ? derPrintableString(value) : spec.encoding === 'ia5' ? derIa5String(value) : derUtf8String(value);
          return derSequence(derOid(spec.oid), encoded);
        }),
      ),
    ),
  );
  return derSequence(...rdns);
}

/** One line, certificate order, as the app shows names elsewhere ("CN=…, O=…"). */
export function nameText(name: NameInput): string {
  return name.map((rdn) => rdn.map(({ spec, value }) => `${spec.name}=${value}`).join('+')).join(', ');
}

/** DER SET OF sorts its elements by their encodings. */
function sortedForDer(items: Uint8Array[]): Uint8Array[] {
  return [...items].sort((a, b) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  });
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\' && i + 1 < text.length) {
      current += char + text[i + 1]!;
      i++;
    } else if (char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function indexOfUnescaped(text: string, char: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === char) return i;
  }
  return -1;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/gu, '$1');
}
