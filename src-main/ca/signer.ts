/**
 * The station CA while its key is open: issues per-board identities (fresh RSA-2048
 * key + clientAuth leaf) and the app's short-lived server certificates. Open it for a
 * run, close it after; the key bytes handed in are wiped at once. Pure: no files.
 */
import { createHash, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { bytesEqual, parseCertificate, type ParsedCertificate } from '../x509/certificate.js';
import { BACKDATE_MS, checkCaCertificate, checkValidityDays, describeCa, randomSerial, serialHex, type CaCertificates, type CaDescription } from './ca-material.js';
import { derElement, derSequence } from './der-writer.js';
import { CaError } from './errors.js';
import { pemBytes, privateKeyFromBytes, spkiOf, wipe } from './keys.js';
import { encodeName, parseName } from './names.js';
import { normaliseMac, normaliseUid, renderNames, type CompiledTemplate, type TemplateValues } from './template.js';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  extKeyUsageExtension,
  KEY_USAGE,
  keyIdentifier,
  keyUsageExtension,
  OID,
  readCertificateExtensions,
  signCertificate,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
  type ExtensionSpec,
} from './x509-builder.js';

const DAY_MS = 24 * 3600 * 1000;
const generateKeyPairAsync = promisify(generateKeyPair);

export interface DeviceIdentityRequest {
  template: CompiledTemplate;
  /** uid (32 hex digits), the WINC MAC, the station counter. */
  values: TemplateValues;
  validityDays: number;
  now?: Date;
  /** A key pair made elsewhere (tests, a key pool); default a fresh RSA-2048 pair, made off the event loop. */
  keyPair?: { privateKey: KeyObject };
  /** Called with each candidate serial; return true to draw another (a collision with a recorded one). */
  serialInUse?: (serialHex: string) => boolean;
}

/** One board's identity. `keyPem` is secret: hold it sealed, write it to the board, then wipe it. */
export interface IssuedDeviceIdentity {
  uid: string;
  /** 12 lower-case hex digits, when the MAC was known. */
  mac?: string;
  stationSerial?: number;
  /** X.509 serial, upper-case hex (as `openssl x509 -serial` prints it). */
  serialHex: string;
  subject: string;
  subjectAltNames: string[];
  notBefore: string;
  notAfter: string;
  certificateDer: Uint8Array;
  /** What goes into the TLS store's RSA chain: the leaf, then the station CA (root or intermediate). */
  chainDer: Uint8Array[];
  /** Lower-case hex SHA-256 of the certificate DER. */
  certificateSha256: string;
  /** Lower-case hex SHA-256 of the SubjectPublicKeyInfo DER (the "SPKI pin"). */
  publicKeySha256: string;
  /** PKCS#1 "RSA PRIVATE KEY" PEM, as bytes: what the intake and the TLS store path take. */
  keyPem: Uint8Array;
}

export interface ServerCertificateRequest {
  /** The server's public key (or its private key; only the public half is used). */
  key: KeyObject;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  /** Default 90. */
  validityDays?: number;
  /** Default "CN=WINC Cert Studio server, O=WINC Cert Studio". */
  subject?: string;
  now?: Date;
}

export interface IssuedServerCertificate {
  certificateDer: Uint8Array;
  /** Leaf, station CA, then the issuers above it: what the server presents. */
  chainDer: Uint8Array[];
  serialHex: string;
  notAfter: string;
}

export class CaSigner {
  private key: KeyObject | undefined;
  private readonly caCertificate: ParsedCertificate;
  private readonly authorityKeyId: Uint8Array;

  private constructor(
    readonly certificates: CaCertificates,
    key: KeyObject,
  ) {
    this.key = key;
    this.caCertificate = parseCertificate(certificates.certificateDer);
    this.authorityKeyId = readCertificateExtensions(this.caCertificate).subjectKeyIdentifier ?? keyIdentifier(this.caCertificate.spkiDer);
  }

  /**
   * Opens the signer with the CA's unsealed key (PKCS#8 DER, or any form keys.ts reads).
   * `keyBytes` is wiped before this returns, whether or not it succeeds.
   */
  static open(certificates: CaCertificates, keyBytes: Uint8Array, now = new Date()): CaSigner {
    try {
      const key = privateKeyFromBytes(keyBytes, 'CA key');
      const certificate = parseCertificate(certificates.certificateDer);
      if (!bytesEqual(spkiOf(key), certificate.spkiDer)) {
        throw new CaError('KEY_MISMATCH', `The stored CA key does not belong to ${certificate.subjectText}; the CA folder is inconsistent. Import the CA again.`);
      }
      checkCaCertificate(certificate, now);
      return new CaSigner(certificates, key);
    } finally {
      wipe(keyBytes);
    }
  }

  get isOpen(): boolean {
    return this.key !== undefined;
  }

  /** Drops the key. Node keeps a KeyObject's material in OpenSSL memory until it is collected. */
  close(): void {
    this.key = undefined;
  }

  /**
   * Set-up check for a validity: a sentence for the person when certificates would be cut
   * short to end with the CA (they never outlive it), else undefined.
   */
  validityWarning(validityDays: number, now = new Date()): string | undefined {
    checkValidityDays(validityDays);
    const caEnd = this.caCertificate.notAfter.getTime();
    if (now.getTime() + validityDays * DAY_MS <= caEnd + DAY_MS) return undefined;
    const left = Math.max(0, Math.floor((caEnd - now.getTime()) / DAY_MS));
    return `Certificates are asked to last ${validityDays} days, but the station CA expires on ${new Date(caEnd).toISOString().slice(0, 10)} (in ${left} days); they will end with it. Renew the CA or shorten the validity.`;
  }

  describe(now = new Date()): CaDescription {
    return describeCa(this.certificates, now);
  }

  /** A fresh RSA-2048 key and a clientAuth certificate for one board (never valid beyond the CA: see validityWarning). */
  async issueDeviceIdentity(request: DeviceIdentityRequest): Promise<IssuedDeviceIdentity> {
    checkValidityDays(request.validityDays);
    const names = renderNames(request.template, request.values);
    const privateKey = request.keyPair?.privateKey ?? (await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })).privateKey;
    if (privateKey.asymmetricKeyType !== 'rsa') throw new CaError('BAD_KEY_TYPE', "A board identity needs an RSA key: the WINC's TLS store holds RSA client identities.");
    const spkiDer = spkiOf(privateKey);
    const extensions: ExtensionSpec[] = [
      basicConstraintsExtension(false),
      keyUsageExtension([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment]),
      extKeyUsageExtension([OID.clientAuth]),
      subjectKeyIdentifierExtension(keyIdentifier(spkiDer)),
      authorityKeyIdentifierExtension(this.authorityKeyId),
      ...(names.subjectAltNamesDer ? [subjectAltNameExtension(names.subjectAltNamesDer, false)] : []),
    ];
    const { certificateDer, serial, notBefore, notAfter } = this.sign(names.subjectDer, spkiDer, extensions, request.validityDays, request.now, request.serialInUse);
    const pkcs1 = new Uint8Array(privateKey.export({ type: 'pkcs1', format: 'der' }));
    const keyPem = pemBytes('RSA PRIVATE KEY', pkcs1);
    wipe(pkcs1);
    return {
      uid: normaliseUid(request.values.uid),
      ...(request.values.mac !== undefined ? { mac: normaliseMac(request.values.mac) } : {}),
      ...(request.values.serial !== undefined ? { stationSerial: request.values.serial } : {}),
      serialHex: serial,
      subject: names.subjectText,
      subjectAltNames: names.subjectAltNames,
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      certificateDer,
      chainDer: [certificateDer, this.certificates.certificateDer],
      certificateSha256: sha256Hex(certificateDer),
      publicKeySha256: sha256Hex(spkiDer),
      keyPem,
    };
  }

  /** A serverAuth certificate for the app's HTTPS servers (short-lived; the app renews it). */
  issueServerCertificate(request: ServerCertificateRequest): IssuedServerCertificate {
    const subjectDer = encodeName(parseName(request.subject ?? 'CN=WINC Cert Studio server, O=WINC Cert Studio', 'server subject'), 'server subject');
    const names = [
      ...request.dnsNames.map((name) => derElement(0x82, new TextEncoder().encode(name))),
      ...request.ipAddresses.map((ip) => {
        const octets = ip.split('.').map(Number);
        if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
          throw new CaError('BAD_INPUT', `"${ip}" is not an IPv4 address.`);
        }
        return derElement(0x87, new Uint8Array(octets));
      }),
    ];
    const spkiDer = spkiOf(request.key);
    const extensions: ExtensionSpec[] = [
      basicConstraintsExtension(false),
      keyUsageExtension([KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment]),
      extKeyUsageExtension([OID.serverAuth]),
      subjectKeyIdentifierExtension(keyIdentifier(spkiDer)),
      authorityKeyIdentifierExtension(this.authorityKeyId),
      ...(names.length > 0 ? [subjectAltNameExtension(derSequence(...names), false)] : []),
    ];
    const { certificateDer, serial, notAfter } = this.sign(subjectDer, spkiDer, extensions, request.validityDays ?? 90, request.now);
    return { certificateDer, chainDer: [certificateDer, this.certificates.certificateDer, ...this.certificates.chainAboveDer], serialHex: serial, notAfter: notAfter.toISOString() };
  }

  private sign(subjectDer: Uint8Array, spkiDer: Uint8Array, extensions: ExtensionSpec[], validityDays: number, at?: Date, serialInUse?: (hex: string) => boolean) {
    const key = this.key;
    if (!key) throw new CaError('BAD_INPUT', 'The station CA is closed; open it again to issue certificates.');
    checkValidityDays(validityDays);
    const now = at ?? new Date();
    checkCaCertificate(this.caCertificate, now);
    const notBefore = new Date(now.getTime() - BACKDATE_MS);
    const notAfter = new Date(Math.min(now.getTime() + validityDays * DAY_MS, this.caCertificate.notAfter.getTime()));
    let serial = randomSerial();
    for (let attempt = 0; serialInUse?.(serialHex(serial)); attempt++) {
      if (attempt > 8) throw new CaError('BAD_INPUT', 'Could not draw an unused certificate serial number.');
      serial = randomSerial();
    }
    const certificateDer = signCertificate({ serial, issuerDer: this.caCertificate.subjectDer, subjectDer, notBefore, notAfter, spkiDer, extensions }, key);
    return { certificateDer, serial: serialHex(serial), notBefore, notAfter };
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
