/**
 * The per-board identity template: a subject and subjectAltNames with placeholders.
 *
 *   {uid}       the SAM D21 serial number: 32 lower-case hex digits
 *   {mac}       the WINC's MAC address: 12 lower-case hex digits, no separators (aabbccddeeff)
 *   {mac:colon} the same with colons (aa:bb:cc:dd:ee:ff); not allowed in DNS names
 *   {serial}    the station counter in decimal; {serial:6} zero-pads it to 6 digits
 *   {{ and }}   literal braces
 *
 * SAN entries are `DNS:…`, `URI:…`, `email:…` or `IP:…`. Parsed once (syntax errors at
 * setup, not on the tenth board), rendered per board. Pure.
 */
import { derElement, derSequence } from './der-writer.js';
import { CaError } from './errors.js';
import { checkAttributeValue, encodeName, nameText, parseName, type AttributeSpec } from './names.js';

export interface IdentityTemplateInput {
  /** e.g. "CN=board-{uid}, O=Acme" */
  subject: string;
  /** e.g. ["URI:urn:acme:device:{uid}", "DNS:{mac}.devices.acme.example"] */
  subjectAltNames?: readonly string[];
}

export interface TemplateValues {
  /** 32 hex digits, any case. */
  uid: string;
  /** 12 hex digits, with or without ':' or '-' separators; only needed when the template uses {mac}. */
  mac?: string;
  /** The station counter; only needed when the template uses {serial}. */
  serial?: number;
}

export const PLACEHOLDERS = ['uid', 'mac', 'mac:colon', 'serial', 'serial:N'] as const;

type Piece = { literal: string } | { placeholder: 'uid' | 'mac' | 'mac:colon' | 'serial'; width?: number };

interface CompiledValue {
  pieces: Piece[];
}

type SanKind = 'DNS' | 'URI' | 'email' | 'IP';

export interface CompiledTemplate {
  readonly source: IdentityTemplateInput;
  readonly subject: { spec: AttributeSpec; value: CompiledValue }[][];
  readonly subjectAltNames: { kind: SanKind; value: CompiledValue }[];
  /** Which values rendering needs. */
  readonly uses: { uid: boolean; mac: boolean; serial: boolean };
}

export interface RenderedNames {
  subjectDer: Uint8Array;
  subjectText: string;
  /** The SAN extension value (GeneralNames DER), or undefined when the template has none. */
  subjectAltNamesDer: Uint8Array | undefined;
  subjectAltNames: string[];
}

/** Values the template check renders with: the longest each placeholder can be. */
const WIDEST_SAMPLE: Required<TemplateValues> = { uid: 'f'.repeat(32), mac: 'ff:ff:ff:ff:ff:ff', serial: 999_999_999 };

const SAN_KINDS: Record<string, SanKind> = { dns: 'DNS', uri: 'URI', email: 'email', ip: 'IP' };

/** Parses and checks a template; throws CaError BAD_TEMPLATE / UNKNOWN_PLACEHOLDER / BAD_NAME with what to fix. */
export function compileTemplate(input: IdentityTemplateInput): CompiledTemplate {
  const subject = parseName(input.subject, 'subject template').map((rdn) =>
    rdn.map(({ spec, value }) => ({ spec, value: compileValue(value, `${spec.name} in the subject template`) })),
  );
  const subjectAltNames = (input.subjectAltNames ?? []).map((entry) => {
    const colon = entry.indexOf(':');
    const kind = colon > 0 ? SAN_KINDS[entry.slice(0, colon).trim().toLowerCase()] : undefined;
    if (!kind) throw new CaError('BAD_TEMPLATE', `SAN entry "${entry}" must start with DNS:, URI:, email: or IP:.`);
    const text = entry.slice(colon + 1).trim();
    if (text === '') throw new CaError('BAD_TEMPLATE', `SAN entry "${entry}" has no value.`);
    const value = compileValue(text, `the SAN entry "${entry}"`);
    if (kind === 'DNS' && value.pieces.some((piece) => 'placeholder' in piece && piece.placeholder === 'mac:colon')) {
      throw new CaError('BAD_TEMPLATE', `{mac:colon} cannot go in a DNS name ("${entry}"): colons are not allowed there; use {mac}.`);
    }
    return { kind, value };
  });
  const all = [...subject.flat().map((a) => a.value), ...subjectAltNames.map((s) => s.value)];
  const uses = (name: string) => all.some((value) => value.pieces.some((piece) => 'placeholder' in piece && piece.placeholder.startsWith(name)));
  const compiled: CompiledTemplate = { source: input, subject, subjectAltNames, uses: { uid: uses('uid'), mac: uses('mac'), serial: uses('serial') } };
  if (!compiled.uses.uid && !compiled.uses.mac && !compiled.uses.serial) {
    throw new CaError('BAD_TEMPLATE', `The subject template "${input.subject}" holds no placeholder, so every board would get the same name; put {uid} (or {mac} or {serial}) in it, e.g. "CN=board-{uid}".`);
  }
  // Render once with the longest values, so length and character errors show up now.
  renderNames(compiled, WIDEST_SAMPLE);
  return compiled;
}

/** The subject and SAN for one board. */
export function renderNames(template: CompiledTemplate, values: TemplateValues): RenderedNames {
  const resolved = resolveValues(template, values);
  const subject = template.subject.map((rdn) => rdn.map(({ spec, value }) => ({ spec, value: render(value, resolved) })));
  for (const rdn of subject) for (const { spec, value } of rdn) checkAttributeValue(spec, value, 'subject');
  const sans = template.subjectAltNames.map(({ kind, value }) => ({ kind, text: render(value, resolved) }));
  const generalNames = sans.map(({ kind, text }) => encodeGeneralName(kind, text));
  return {
    subjectDer: encodeName(subject),
    subjectText: nameText(subject),
    subjectAltNamesDer: generalNames.length > 0 ? derSequence(...generalNames) : undefined,
    subjectAltNames: sans.map(({ kind, text }) => `${kind}:${text}`),
  };
}

/** Normalises a MAC address to 12 lower-case hex digits; throws MISSING_VALUE with the expected form. */
export function normaliseMac(mac: string): string {
  const digits = mac.trim().toLowerCase().replace(/[:-]/gu, '');
  if (!/^[0-9a-f]{12}$/u.test(digits)) throw new CaError('MISSING_VALUE', `"${mac}" is not a MAC address; expected six hex bytes such as f8:f0:05:12:34:56.`);
  return digits;
}

/** Normalises a SAM D21 serial number to 32 lower-case hex digits. */
export function normaliseUid(uid: string): string {
  const digits = uid.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/u.test(digits)) throw new CaError('MISSING_VALUE', `"${uid}" is not a board id; expected the SAM D21 serial number as 32 hex digits.`);
  return digits;
}

function resolveValues(template: CompiledTemplate, values: TemplateValues): { uid: string; mac: string; serial: number } {
  const uid = normaliseUid(values.uid);
  if (template.uses.mac && values.mac === undefined) {
    throw new CaError('MISSING_VALUE', "The identity template uses {mac} but the board's WINC MAC address is not known (does the board's firmware report it?).");
  }
  if (template.uses.serial && (values.serial === undefined || !Number.isSafeInteger(values.serial) || values.serial < 0)) {
    throw new CaError('MISSING_VALUE', 'The identity template uses {serial} but no station counter value was given.');
  }
  return { uid, mac: values.mac === undefined ? '' : normaliseMac(values.mac), serial: values.serial ?? 0 };
}

function render(value: CompiledValue, values: { uid: string; mac: string; serial: number }): string {
  return value.pieces
    .map((piece) => {
      if ('literal' in piece) return piece.literal;
      switch (piece.placeholder) {
        case 'uid':
          return values.uid;
        case 'mac':
          return values.mac;
        case 'mac:colon':
          return values.mac.replace(/(..)(?!$)/gu, '$1:');
        case 'serial':
          return String(values.serial).padStart(piece.width ?? 0, '0');
      }
    })
    .join('');
}

function compileValue(text: string, where: string): CompiledValue {
  const pieces: Piece[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if ((char === '{' || char === '}') && text[i + 1] === char) {
      literal += char;
      i++;
      continue;
    }
    if (char === '}') throw new CaError('BAD_TEMPLATE', `A lone "}" in ${where}; write "}}" for a literal brace.`);
    if (char !== '{') {
      literal += char;
      continue;
    }
    const end = text.indexOf('}', i);
    if (end < 0) throw new CaError('BAD_TEMPLATE', `"{" without a closing "}" in ${where}; write "{{" for a literal brace.`);
    const body = text.slice(i + 1, end).trim();
    if (literal) pieces.push({ literal });
    literal = '';
    pieces.push(placeholder(body, where));
    i = end;
  }
  if (literal) pieces.push({ literal });
  return { pieces };
}

function placeholder(body: string, where: string): Piece {
  if (body === 'uid' || body === 'mac' || body === 'mac:colon' || body === 'serial') return { placeholder: body };
  const padded = /^serial:(\d{1,2})$/u.exec(body);
  if (padded) {
    const width = Number(padded[1]);
    if (width < 1 || width > 20) throw new CaError('BAD_TEMPLATE', `{${body}} in ${where}: the zero-padding width must be 1 to 20 digits.`);
    return { placeholder: 'serial', width };
  }
  throw new CaError('UNKNOWN_PLACEHOLDER', `Unknown placeholder {${body}} in ${where}; the placeholders are {uid}, {mac}, {mac:colon}, {serial} and {serial:N}.`);
}

function encodeGeneralName(kind: SanKind, text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  switch (kind) {
    case 'DNS':
      if (!isDnsName(text)) throw new CaError('BAD_NAME', `"${text}" is not a DNS name (letters, digits and hyphens in dot-separated labels of at most 63 characters).`);
      return derElement(0x82, bytes);
    case 'email':
      if (!/^[\x21-\x7e]+@[A-Za-z0-9.-]+$/u.test(text)) throw new CaError('BAD_NAME', `"${text}" is not an e-mail address (ASCII local@domain).`);
      return derElement(0x81, bytes);
    case 'URI':
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/u.test(text)) throw new CaError('BAD_NAME', `"${text}" is not a URI (scheme:rest, ASCII, no spaces), e.g. urn:acme:device:{uid}.`);
      return derElement(0x86, bytes);
    case 'IP': {
      const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/u.exec(text)?.slice(1).map(Number);
      if (octets && octets.every((octet) => octet <= 255)) return derElement(0x87, new Uint8Array(octets));
      throw new CaError('BAD_NAME', `"${text}" is not an IPv4 address.`);
    }
  }
}

function isDnsName(text: string): boolean {
  if (text.length > 253) return false;
  return text.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/u.test(label));
}
