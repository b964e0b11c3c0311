import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SAMPLES_DIR } from './fixtures';

export interface DroppedFile {
  name: string;
  bytes: Buffer;
}

/** Files a technician drops by mistake: none of them holds a usable certificate or key. */
export function unreadableFiles(): DroppedFile[] {
  const root = readFileSync(path.join(SAMPLES_DIR, 'root_a.cer'));
  const body = root.toString('base64').slice(0, 240).replace(/(.{64})/g, '$1\n');
  return [
    { name: 'garbage.bin', bytes: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 73 + 19) & 0xff)) },
    { name: 'notes.txt', bytes: Buffer.from('Bench 3: the MKR1000 in slot 2 needs a new USB cable.\n') },
    { name: 'empty.der', bytes: Buffer.alloc(0) },
    { name: 'picture.png', bytes: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff))]) },
    { name: 'truncated.pem', bytes: Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n`) },
  ];
}

/**
 * Certificates made with the openssl CLI (as the README's prerequisites install it) in a
 * temporary folder: what technicians bring besides the example set.
 */
export class MadeCertificates {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'winc-e2e-certs-'));
  private serial = 0x5000;

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  private config(): string {
    const file = path.join(this.dir, 'openssl.cnf');
    writeFileSync(file, '[req]\ndistinguished_name = dn\n[dn]\n[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n[leaf]\nbasicConstraints = critical,CA:FALSE\n');
    return file;
  }

  key(name: string, spec: 'rsa2048' | 'rsa4096' | 'p256' | 'p384'): string {
    const file = `${name}.key`;
    const args = spec.startsWith('rsa') ? ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${spec.slice(3)}`] : ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${spec === 'p256' ? 'P-256' : 'P-384'}`];
    this.openssl(['genpkey', ...args, '-out', file]);
    return file;
  }

  /** A certificate as DER: self-signed CA, or issued by `issuer` (CA or leaf). */
  certificate(name: string, keyFile: string, cn: string, issuer?: { name: string; key: string }, ca = true): DroppedFile {
    const config = this.config();
    const serial = `0x${(this.serial++).toString(16)}`;
    if (!issuer) {
      this.openssl(['req', '-config', config, '-x509', '-key', keyFile, '-subj', `/O=Bench Test/CN=${cn}`, '-days', '3650', '-set_serial', serial, '-extensions', 'ca', '-out', `${name}.pem`]);
    } else {
      this.openssl(['req', '-config', config, '-new', '-key', keyFile, '-subj', `/O=Bench Test/CN=${cn}`, '-out', `${name}.csr`]);
      this.openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer.name}.pem`, '-CAkey', issuer.key, '-set_serial', serial, '-days', '3650', '-extfile', config, '-extensions', ca ? 'ca' : 'leaf', '-out', `${name}.pem`]);
    }
    this.openssl(['x509', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.der`]);
    return { name: `${name}.der`, bytes: readFileSync(path.join(this.dir, `${name}.der`)) };
  }

  keyFile(keyFile: string, as: string): DroppedFile {
    return { name: as, bytes: readFileSync(path.join(this.dir, keyFile)) };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
