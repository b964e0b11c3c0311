/**
 * The SHA-1 "name hash" the WINC stores for each root certificate and uses to
 * link certificates to their issuers (winc-cert-store.md §2.5). It follows
 * Microchip's X.509 code, not a canonical DN hash: for each RDN, in encoded
 * order, hash the raw content octets of the FIRST attribute value only (any
 * string type; no tags, lengths, OIDs or separators). The value length is kept
 * in a uint8_t there, so only `length & 0xFF` bytes are hashed.
 */
import { createHash } from 'node:crypto';
import { DerError, readElement, type DerElement } from '../asn1/der.js';
import { StoreError } from './errors.js';

const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const TAG_OID = 0x06;

/** The WINC name hash (20 bytes) of a DER-encoded X.501 Name (the whole SEQUENCE). */
export function wincNameHash(nameDer: Uint8Array): Uint8Array {
  const sha = createHash('sha1');
  for (const value of firstAttributeValues(nameDer)) sha.update(value.subarray(0, value.length & 0xff));
  return new Uint8Array(sha.digest());
}

function firstAttributeValues(nameDer: Uint8Array): Uint8Array[] {
  const name = read(nameDer, 0, 'Name');
  if (name.tag !== TAG_SEQUENCE) throw malformed('the Name is not a SEQUENCE');
  if (name.raw.length !== nameDer.length) throw malformed('trailing bytes after the Name');
  const values: Uint8Array[] = [];
  let position = 0;
  let rdnIndex = 0;
  while (position < name.value.length) {
    const rdn = read(name.value, position, 'RelativeDistinguishedName');
    position += rdn.raw.length;
    // Microchip's loop stops at the first element that is not a SET.
    if (rdn.tag !== TAG_SET) break;
    const atv = read(rdn.value, 0, 'AttributeTypeAndValue');
    if (atv.tag !== TAG_SEQUENCE) throw malformed(`RDN ${rdnIndex + 1} does not hold a SEQUENCE`);
    if (atv.raw.length !== rdn.value.length) {
      throw new StoreError(
        'NAME_MULTI_VALUED_RDN',
        `RDN ${rdnIndex + 1} of this name holds more than one attribute (a multi-valued RDN). The WINC firmware's X.509 parser cannot read such names; use a certificate without multi-valued RDNs.`,
      );
    }
    const oid = read(atv.value, 0, 'attribute type');
    if (oid.tag !== TAG_OID) throw malformed(`RDN ${rdnIndex + 1} has no attribute type OID`);
    const value = read(atv.value, oid.raw.length, 'attribute value');
    values.push(value.value);
    rdnIndex++;
  }
  return values;
}

function read(buffer: Uint8Array, offset: number, what: string): DerElement {
  try {
    return readElement(buffer, offset);
  } catch (error) {
    if (error instanceof DerError) throw malformed(`${what}: ${error.message}`);
    throw error;
  }
}

function malformed(detail: string): StoreError {
  return new StoreError('NAME_MALFORMED', `The certificate name cannot be read the way the WINC reads it (${detail}).`);
}

