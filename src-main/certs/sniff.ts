import { decodeOid, DerTag, readChildren, readElement, type DerElement } from '../asn1/der.js';

/** What a DER blob holds, judged by its ASN.1 shape rather than its file extension. */
export type DerContent =
  | 'certificate'
  | 'pkcs1-private-key'
  | 'pkcs8-private-key'
  | 'pkcs8-encrypted-private-key'
  | 'sec1-private-key'
  | 'pkcs12'
  | 'pkcs7'
  | 'unknown';

const OID_PKCS7_DATA = '1.2.840.113549.1.7.1';
const OID_PKCS7_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** Sniffs the content type of a DER (or, for PKCS#12, possibly BER) blob. Never throws. */
export function sniffDer(bytes: Uint8Array): DerContent {
  if (bytes.length < 2 || bytes[0] !== DerTag.SEQUENCE) return 'unknown';
  if (looksLikeBerPkcs12(bytes)) return 'pkcs12';
  let outer: DerElement;
  let children: DerElement[];
  try {
    outer = readElement(bytes, 0);
    children = readChildren(outer);
  } catch {
    // A truncated file still starts like what it was; say so, so the reader reports
    // a damaged certificate or key instead of "unknown content".
    return truncatedShape(bytes);
  }
  const [first, second, third] = children;
  if (!first) return 'unknown';
  if (first.tag === DerTag.SEQUENCE && second?.tag === DerTag.SEQUENCE && third?.tag === DerTag.BIT_STRING && children.length === 3) {
    return 'certificate';
  }
  if (first.tag === DerTag.SEQUENCE && second?.tag === DerTag.OCTET_STRING && children.length === 2) {
    return 'pkcs8-encrypted-private-key';
  }
  if (first.tag === DerTag.INTEGER) {
    const version = first.value.length === 1 ? first.value[0] : -1;
    if (version === 3 && second?.tag === DerTag.SEQUENCE && contentInfoType(second) === OID_PKCS7_DATA) return 'pkcs12';
    if (version === 0 && children.length >= 9 && children.every((child) => child.tag === DerTag.INTEGER)) return 'pkcs1-private-key';
    if ((version === 0 || version === 1) && second?.tag === DerTag.SEQUENCE && third?.tag === DerTag.OCTET_STRING) return 'pkcs8-private-key';
    if (version === 1 && second?.tag === DerTag.OCTET_STRING) return 'sec1-private-key';
  }
  if (first.tag === DerTag.OID) {
    try {
      if (decodeOid(first.value) === OID_PKCS7_SIGNED_DATA) return 'pkcs7';
    } catch {
      return 'unknown';
    }
  }
  return 'unknown';
}

function contentInfoType(element: DerElement): string | undefined {
  try {
    const oid = readChildren(element)[0];
    return oid?.tag === DerTag.OID ? decodeOid(oid.value) : undefined;
  } catch {
    return undefined;
  }
}

/** PKCS#12 files from some tools use BER indefinite lengths: 30 80 02 01 03 30 ... */
function looksLikeBerPkcs12(bytes: Uint8Array): boolean {
  return bytes[1] === 0x80 && bytes[2] === DerTag.INTEGER && bytes[3] === 1 && bytes[4] === 3;
}

/** Guesses what a truncated blob was from its first few header bytes. */
function truncatedShape(bytes: Uint8Array): DerContent {
  const headerLength = (bytes[1]! & 0x80) === 0 ? 2 : 2 + (bytes[1]! & 0x7f);
  const innerTag = bytes[headerLength];
  const innerLengthByte = bytes[headerLength + 1];
  if (innerTag === undefined || innerLengthByte === undefined) return 'unknown';
  if (innerTag === DerTag.SEQUENCE) {
    const innerHeader = (innerLengthByte & 0x80) === 0 ? 2 : 2 + (innerLengthByte & 0x7f);
    const firstField = bytes[headerLength + innerHeader];
    return firstField === 0xa0 || firstField === DerTag.INTEGER ? 'certificate' : 'unknown';
  }
  if (innerTag === DerTag.INTEGER && innerLengthByte === 1) {
    const version = bytes[headerLength + 2];
    const next = bytes[headerLength + 3];
    if (version === 0 && next === DerTag.INTEGER) return 'pkcs1-private-key';
    if ((version === 0 || version === 1) && next === DerTag.SEQUENCE) return 'pkcs8-private-key';
    if (version === 1 && next === DerTag.OCTET_STRING) return 'sec1-private-key';
    if (version === 3) return 'pkcs12';
  }
  return 'unknown';
}
