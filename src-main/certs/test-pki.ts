/**
 * Test support: makes keys, certificates and containers with the openssl CLI in
 * a temporary directory. Not used by the app.
 */
import { execFileSync } from 'node:child_process';
import forge from 'node-forge';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertOptions {
  cn?: string;
  /** Full subject, e.g. "/CN=a+O=b" (overrides cn). */
  subject?: string;
  ca?: boolean;
  /** subjectAltName value, e.g. "DNS:a.example,IP:10.0.0.1". */
  san?: string;
  days?: number;
  digest?: 'sha256' | 'sha1' | 'md5';
  multiRdn?: boolean;
  /** Serial number as openssl takes it (e.g. "0x7f11..."); default: a running counter. */
  serial?: string;
  /** Sign with RSASSA-PSS instead of PKCS#1 v1.5. */
  pss?: boolean;
}

export type KeySpec = 'rsa2048' | 'rsa4096' | 'p256' | 'p384';

export interface MadeCert {
  name: string;
  keyPath: string;
  certPath: string;
  der: Uint8Array;
  pem: string;
}

export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'winc-intake-'));
  private serial = 0x1000;
  private configWritten = false;
  private readonly keyForms = new Map<string, Uint8Array>();

  openssl(args: string[], input?: string): Buffer {
    return execFileSync('openssl', args, { cwd: this.dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name)));
  }

  write(name: string, content: Uint8Array | string): void {
    writeFileSync(this.path(name), content);
  }

  /** A new key in PKCS#8 PEM (openssl 3's default form). */
  key(name: string, spec: KeySpec): string {
    const file = `${name}.key`;
    if (spec === 'rsa2048' || spec === 'rsa4096') {
      this.openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${spec === 'rsa2048' ? 2048 : 4096}`, '-out', file]);
    } else {
      this.openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${spec === 'p256' ? 'P-256' : 'P-384'}`, '-out', file]);
    }
    return file;
  }

  /** A self-signed certificate (one openssl run; a minimal config so only the given extensions appear). */
  selfSigned(name: string, keyFile: string, options: CertOptions = {}): MadeCert {
    return this.certificate(name, keyFile, undefined, { ca: true, ...options });
  }

  /** A certificate for `keyFile` issued by `issuer` (end-entity unless options.ca). */
  issued(name: string, keyFile: string, issuer: MadeCert, options: CertOptions = {}): MadeCert {
    return this.certificate(name, keyFile, issuer, { ca: false, ...options });
  }

  private certificate(name: string, keyFile: string, issuer: MadeCert | undefined, options: CertOptions): MadeCert {
    const certFile = `${name}.pem`;
    const args = ['req', '-config', this.minimalConfig(), '-x509', '-key', keyFile, '-subj', options.subject ?? `/O=Intake Test/CN=${options.cn ?? name}`];
    if (issuer) args.push('-CA', issuer.certPath, '-CAkey', issuer.keyPath);
    args.push('-days', String(options.days ?? 7300), `-${options.digest ?? 'sha256'}`, '-set_serial', options.serial ?? String(this.serial++), '-out', certFile);
    if (options.pss) args.push('-sigopt', 'rsa_padding_mode:pss');
    if (options.multiRdn) args.push('-multivalue-rdn');
    args.push('-addext', options.ca ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=CA:FALSE');
    if (options.san) args.push('-addext', `subjectAltName=${options.san}`);
    this.openssl(args);
    const pem = readFileSync(this.path(certFile), 'latin1');
    const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    return { name, keyPath: keyFile, certPath: certFile, der: new Uint8Array(Buffer.from(body, 'base64')), pem };
  }

  private minimalConfig(): string {
    const file = 'minimal.cnf';
    if (!this.configWritten) {
      this.write(file, '[req]\ndistinguished_name = dn\n[dn]\n');
      this.configWritten = true;
    }
    return file;
  }

  /**
   * A chain of `depth` certificates, leaf first: depth 1 is a self-signed leaf,
   * otherwise leaf ← intermediates ← self-signed root.
   */
  chain(prefix: string, keys: string[], depth: number, leafSan = 'DNS:module.example.com'): MadeCert[] {
    if (depth === 1) return [this.selfSigned(`${prefix}-leaf`, keys[0]!, { ca: false, san: leafSan })];
    const root = this.selfSigned(`${prefix}-root`, keys[depth - 1]!, { cn: `${prefix} Root CA` });
    const chain = [root];
    for (let level = depth - 2; level >= 1; level--) {
      chain.unshift(this.issued(`${prefix}-int${level}`, keys[level]!, chain[0]!, { ca: true, cn: `${prefix} Intermediate ${level}` }));
    }
    chain.unshift(this.issued(`${prefix}-leaf`, keys[0]!, chain[0]!, { san: leafSan, cn: `${prefix} module` }));
    return chain;
  }

  /** The key converted: 'pkcs1' / 'sec1' PEM ("traditional"), 'pkcs8' PEM, or any of them as DER. */
  keyAs(keyFile: string, form: 'pkcs1-pem' | 'pkcs1-der' | 'sec1-pem' | 'sec1-der' | 'pkcs8-pem' | 'pkcs8-der'): Uint8Array {
    const cacheKey = `${keyFile}:${form}`;
    const cached = this.keyForms.get(cacheKey);
    if (cached) return cached;
    const bytes = this.convertKey(keyFile, form);
    this.keyForms.set(cacheKey, bytes);
    return bytes;
  }

  private convertKey(keyFile: string, form: string): Uint8Array {
    const [kind, encoding] = form.split('-') as [string, 'pem' | 'der'];
    // `openssl pkey -outform DER` writes the traditional form; PKCS#8 DER needs pkcs8 -topk8.
    if (form === 'pkcs8-der') return new Uint8Array(this.openssl(['pkcs8', '-topk8', '-nocrypt', '-in', keyFile, '-outform', 'DER']));
    const args = ['pkey', '-in', keyFile, '-outform', encoding.toUpperCase()];
    if (kind !== 'pkcs8') args.push('-traditional');
    return new Uint8Array(this.openssl(args));
  }

  pkcs12(name: string, keyFile: string | undefined, certs: MadeCert[], password: string): Uint8Array {
    const file = `${name}.p12`;
    const bundle = `${name}-certs.pem`;
    this.write(bundle, certs.map((c) => c.pem).join(''));
    const args = ['pkcs12', '-export', '-in', bundle, '-out', file, '-passout', `pass:${password}`];
    if (keyFile) args.push('-inkey', keyFile);
    else args.push('-nokeys');
    this.openssl(args);
    return this.read(file);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Rewrites one INTEGER inside a DER structure, found by its child-index path, and re-encodes. */
export function withInteger(der: Uint8Array, path: number[], value: number): Uint8Array {
  const root = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')), false);
  let node = root;
  for (const index of path) node = (node.value as forge.asn1.Asn1[])[index]!;
  if (node.type !== forge.asn1.Type.INTEGER) throw new Error(`path ${path.join('.')} is not an INTEGER`);
  node.value = forge.asn1.integerToDer(value).getBytes();
  return new Uint8Array(Buffer.from(forge.asn1.toDer(root).getBytes(), 'binary'));
}

/** Deterministic shuffle (so failures reproduce). */
export function shuffled<T>(values: readonly T[], seed: number): T[] {
  const out = [...values];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
