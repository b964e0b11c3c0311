import type { ParsedCertificate } from '../x509/certificate.js';
import { describeSource, type IntakeItem } from './read-inputs.js';

/** The certificate's common name, or its whole subject when it has none. */
export function commonName(certificate: ParsedCertificate): string {
  const cn = certificate.subject.filter((attribute) => attribute.shortName === 'CN').pop();
  return cn?.value ?? (certificate.subjectText || '(empty subject)');
}

/** How findings and reasons name an item: `"CN" (file)` or `private key (file)`. */
export function label(item: IntakeItem): string {
  if (item.type === 'certificate') return `"${commonName(item.certificate)}" (${describeSource(item.source)})`;
  const kind = item.key.algorithm === 'rsa' ? `RSA-${item.key.bits}` : `EC ${item.key.curve ?? ''}`.trim();
  return `the ${kind} private key (${describeSource(item.source)})`;
}

export function keyDescription(item: IntakeItem): string {
  if (item.type === 'private-key') return item.key.algorithm === 'rsa' ? `RSA-${item.key.bits}` : `EC ${item.key.curve}`;
  const key = item.certificate.publicKey;
  if (key.kind === 'rsa') return `RSA-${key.bits}`;
  if (key.kind === 'ec') return `EC ${key.curve === 'unknown' ? key.curveOid : key.curve}`;
  return `unsupported key (${key.algorithmOid})`;
}
