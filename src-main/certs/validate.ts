import { isIP } from 'node:net';
import { bytesEqual, type ParsedCertificate } from '../x509/certificate.js';
import { isCa, signatureCheckable, type CertificateGraph } from './chain-graph.js';
import type { Classification } from './classify.js';
import { commonName, label } from './describe.js';
import { finding, type Finding } from './findings.js';
import type { FirmwareProfile } from './firmware.js';
import type { CertificateItem } from './read-inputs.js';

export interface ValidationContext {
  graph: CertificateGraph;
  classifications: readonly Classification[];
  now: Date;
  firmware: FirmwareProfile;
  /** Host name or IP address of the HTTPS server the module will connect to. */
  serverAddress?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const EXPIRY_NOTICE_DAYS = 30;

/** Checks every certificate that will be written against the module's limits and the clock. */
export function validateCertificates(context: ValidationContext): Finding[] {
  const findings: Finding[] = [];
  const { graph, firmware } = context;
  const roleOf = new Map(context.classifications.map((c) => [c.itemId, c.role]));
  const used = graph.ids.map((id) => graph.byId.get(id)!).filter((item) => (roleOf.get(item.id) ?? 'IGNORED') !== 'IGNORED');

  for (const item of used) {
    const cert = item.certificate;
    const role = roleOf.get(item.id)!;
    const refs = { itemIds: [item.id], fileNames: [item.source.fileName] };
    const add = (code: Parameters<typeof finding>[0], message: string) => findings.push(finding(code, message, refs));

    if (context.now.getTime() > cert.notAfter.getTime()) {
      add('CERT_EXPIRED', `${label(item)} expired on ${day(cert.notAfter)}; replace it with a renewed certificate.`);
    } else if (context.now.getTime() < cert.notBefore.getTime()) {
      add('CERT_NOT_YET_VALID', `${label(item)} is valid only from ${day(cert.notBefore)}; check this computer's clock or wait until then.`);
    } else if (cert.notAfter.getTime() - context.now.getTime() < EXPIRY_NOTICE_DAYS * DAY_MS) {
      add('CERT_EXPIRES_SOON', `${label(item)} expires on ${day(cert.notAfter)}; plan its renewal.`);
    }

    const key = cert.publicKey;
    if (key.kind === 'rsa') {
      if (key.bits > firmware.maxRsaBits) add('KEY_RSA_TOO_LARGE', `${label(item)} has an RSA-${key.bits} key; the module handles RSA keys up to ${firmware.maxRsaBits} bits, so use a smaller key.`);
      else if (key.bits < 2048) add('KEY_RSA_WEAK', `${label(item)} has a weak RSA-${key.bits} key; use at least RSA-2048.`);
    } else if (key.kind === 'ec') {
      if (key.curve !== firmware.ecCurve) {
        add('KEY_CURVE_UNSUPPORTED', `${label(item)} uses the EC curve ${key.curve === 'unknown' ? key.curveOid : key.curve}; the module handles only ${firmware.ecCurve}, so use a ${firmware.ecCurve} (prime256v1) key.`);
      } else if (role === 'ROOT_CERT' && !firmware.rootStoreAcceptsEc) {
        add('KEY_ALGORITHM_UNSUPPORTED', `${label(item)} is an ECDSA root; firmware ${firmware.version} stores RSA roots only, so update the module's firmware or use an RSA root.`);
      }
    } else {
      add('KEY_ALGORITHM_UNSUPPORTED', `${label(item)} has a key type the module cannot use (${key.algorithmOid}); use RSA or ECDSA P-256.`);
    }

    // The module keeps only name, dates and key of a root: a root's own signature is never checked.
    const trustAnchor = role === 'ROOT_CERT' || graph.selfSigned.has(item.id);
    if (!trustAnchor) {
      const hash = cert.signatureAlgorithm.hash;
      if (hash === 'md5') add('SIGNATURE_MD5', `${label(item)} is signed with MD5, which is broken; have it reissued with SHA-256.`);
      else if (hash === 'sha1') add('SIGNATURE_SHA1', `${label(item)} is signed with SHA-1, which is deprecated; have it reissued with SHA-256.`);
      else if (!signatureCheckable(cert)) add('SIGNATURE_ALGORITHM_UNSUPPORTED', `${label(item)} is signed with ${cert.signatureAlgorithm.name}, which the module cannot verify; have it reissued with RSA or ECDSA and SHA-256.`);
    }

    const link = graph.issuerOf.get(item.id);
    if (link?.verified === 'no') {
      add('CHAIN_SIGNATURE_INVALID', `${label(item)} names ${label(graph.byId.get(link.issuerId)!)} as issuer but its signature does not verify with that key; use the CA certificate that really issued it.`);
    } else if (graph.badSelfSignature.has(item.id)) {
      add('CHAIN_SIGNATURE_INVALID', `${label(item)} is self-issued but its signature does not verify; the file is damaged or forged, so get a fresh copy.`);
    }

    if (hasMultiValuedRdn(cert.subject) || (role !== 'ROOT_CERT' && hasMultiValuedRdn(cert.issuer))) {
      add('NAME_MULTI_VALUED_RDN', `${label(item)} has a name with several attributes in one RDN, which the module's parser cannot read; use a certificate with one attribute per RDN.`);
    }
    if (!moduleTimeFormat(cert.notBeforeRaw.text) || !moduleTimeFormat(cert.notAfterRaw.text)) {
      add('TIME_FORMAT_UNSUPPORTED', `${label(item)} writes its validity dates in a form the module cannot read (${cert.notBeforeRaw.text} / ${cert.notAfterRaw.text}); reissue it with ordinary UTC dates.`);
    }
  }

  const roots = used.filter((item) => roleOf.get(item.id) === 'ROOT_CERT');
  roots.forEach((root, index) => {
    const clash = roots.slice(0, index).find((earlier) => bytesEqual(earlier.certificate.subjectDer, root.certificate.subjectDer));
    if (clash) {
      findings.push(finding('ROOT_NAME_CLASH', `${label(root)} has the same subject name as ${label(clash)}; the root store keeps one entry per name, so keep only the one you need.`, { itemIds: [root.id, clash.id], fileNames: [root.source.fileName, clash.source.fileName] }));
    }
  });

  if (context.serverAddress) findings.push(...checkServerName(roots, graph, context.serverAddress));

  if (firmware.layout.module === 'winc1500' && firmware.version === '19.7.10') {
    findings.push(finding('FIRMWARE_SELF_SIGNED_BYPASS', 'Firmware 19.7.10 accepts self-signed server certificates without checking the root store; update the module to 19.7.11 or later.'));
  }
  return findings;
}

function checkServerName(roots: CertificateItem[], graph: CertificateGraph, address: string): Finding[] {
  const findings: Finding[] = [];
  for (const root of roots) {
    if (!graph.selfSigned.has(root.id) || !looksLikeServerCertificate(root.certificate)) continue;
    if (nameCovers(root.certificate, address)) continue;
    const names = [...root.certificate.subjectAltNames.dns, ...root.certificate.subjectAltNames.ip];
    findings.push(
      finding(
        'SERVER_NAME_MISMATCH',
        `${label(root)} is a self-signed server certificate for ${names.length ? names.join(', ') : `"${commonName(root.certificate)}"`}, not for ${address}; reissue it with ${address} in its subject alternative names (a check that matters when the firmware validates host names).`,
        { itemIds: [root.id], fileNames: [root.source.fileName] },
      ),
    );
  }
  return findings;
}

/** A self-signed certificate made for one server rather than a CA: not a CA, or it names hosts. */
function looksLikeServerCertificate(cert: ParsedCertificate): boolean {
  if (!isCa(cert)) return true;
  if (cert.subjectAltNames.dns.length + cert.subjectAltNames.ip.length > 0) return true;
  const cn = commonName(cert);
  return cn === 'localhost' || isIP(cn) !== 0 || /^[a-z0-9*-]+(\.[a-z0-9-]+)+$/i.test(cn);
}

export function nameCovers(cert: ParsedCertificate, address: string): boolean {
  const wanted = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  const { dns, ip } = cert.subjectAltNames;
  if (isIP(wanted) !== 0) {
    if (ip.length > 0) return ip.some((entry) => normaliseIp(entry) === normaliseIp(wanted));
    return dns.length === 0 && commonName(cert).toLowerCase() === wanted;
  }
  const candidates = dns.length > 0 ? dns : [commonName(cert)];
  return candidates.some((pattern) => hostMatches(pattern.toLowerCase(), wanted));
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1);
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length;
}

function normaliseIp(text: string): string {
  if (isIP(text) !== 6) return text;
  const [head = '', tail = ''] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = text.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : text.split(':');
  return groups.map((group) => parseInt(group, 16).toString(16)).join(':');
}

function hasMultiValuedRdn(attributes: ParsedCertificate['subject']): boolean {
  const seen = new Set<number>();
  for (const attribute of attributes) {
    if (seen.has(attribute.rdnIndex)) return true;
    seen.add(attribute.rdnIndex);
  }
  return false;
}

/** The module reads only YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ. */
function moduleTimeFormat(text: string): boolean {
  return /^\d{12}Z$/.test(text) || /^\d{14}Z$/.test(text);
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
