import forge from 'node-forge';
import { readElement } from '../asn1/der.js';
import { IntakeError } from './intake-error.js';

/** The certificates and unencrypted keys inside a PKCS#12 (.p12 / .pfx) file, as DER. */
export interface Pkcs12Contents {
  certificates: Uint8Array[];
  /** Keys as PKCS#1 (RSA keys forge understands) or PKCS#8 (everything else). */
  keys: Uint8Array[];
}

const CERT_BAG = forge.pki.oids.certBag!;
const KEY_BAG = forge.pki.oids.keyBag!;
const SHROUDED_KEY_BAG = forge.pki.oids.pkcs8ShroudedKeyBag!;

/**
 * Opens a PKCS#12 file. Without a password it tries the empty password (openssl
 * `-passout pass:`); if that fails the code is P12_PASSWORD_REQUIRED. A supplied
 * password that does not open the file gives P12_BAD_PASSWORD.
 */
export function readPkcs12(bytes: Uint8Array, password: string | undefined): Pkcs12Contents {
  if (!wholeElement(bytes)) throw new IntakeError('P12_MALFORMED', 'The PKCS#12 file is truncated: copy or export it again.');
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString('binary')), false);
  } catch {
    throw new IntakeError('P12_MALFORMED', 'The PKCS#12 file is damaged or truncated: export it again.');
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password ?? '');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/MAC could not be verified|wrong password|Invalid password|decrypt/i.test(message)) {
      if (password === undefined || password === '') {
        throw new IntakeError('P12_PASSWORD_REQUIRED', 'This PKCS#12 file is protected: enter its password.');
      }
      throw new IntakeError('P12_BAD_PASSWORD', 'The password does not open this PKCS#12 file: check it and try again.');
    }
    throw new IntakeError('P12_MALFORMED', `The PKCS#12 file could not be read (${message}): export it again.`);
  }
  const contents: Pkcs12Contents = { certificates: [], keys: [] };
  for (const safeContents of p12.safeContents) {
    for (const bag of safeContents.safeBags) {
      if (bag.type === CERT_BAG) {
        const certAsn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
        if (certAsn1) contents.certificates.push(toBytes(certAsn1));
      } else if (bag.type === KEY_BAG || bag.type === SHROUDED_KEY_BAG) {
        if (bag.key) contents.keys.push(toBytes(forge.pki.privateKeyToAsn1(bag.key)));
        else if (bag.asn1) contents.keys.push(toBytes(bag.asn1));
      }
    }
  }
  return contents;
}

/** True unless the outer DER element claims more bytes than the file has (BER indefinite lengths pass). */
function wholeElement(bytes: Uint8Array): boolean {
  if (bytes[1] === 0x80) return true;
  try {
    readElement(bytes, 0);
    return true;
  } catch {
    return false;
  }
}

function toBytes(asn1: forge.asn1.Asn1): Uint8Array {
  return new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}
