/**
 * The app's station identities (issue 16, item 8): the station CA in the data folder
 * (`station-ca/`, created or imported here), its key opened for a session (the OS keychain in
 * the desktop app, else a passphrase the person types), the identity settings, and the
 * IdentityStation the provisioning runs use while "one identity per board" is on.
 */
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import type { CreateStationCaInput, IdentitySettingsInput, IdentitySettingsView, IdentityStationView, ImportStationCaInput, StationCaView } from '../api/contract.js';
import { ApiError } from '../api/validate.js';
import type { KeySealer } from '../app-data/key-sealer.js';
import { PassphraseSealer, type ScryptParameters } from '../app-data/passphrase-sealer.js';
import type { SettingsStore } from '../app-data/settings-store.js';
import { compileTemplate, createStationCa, prepareCaImport } from '../ca/index.js';
import { sortCaImportFiles } from '../ca/import-files.js';
import { IntakeError } from '../certs/intake-error.js';
import { readPkcs12 } from '../certs/pkcs12.js';
import type { NetworkInterfaceMap } from '../https-server/network-interfaces.js';
import type { ProvisionerIdentity } from '../provisioning/identity-port.js';
import { IdentityStation } from '../provisioning/identity-station.js';
import { CaFolder, type CaFolderView } from '../station-files/ca-folder.js';

export const DEFAULT_IDENTITY_SETTINGS: Omit<IdentitySettingsView, 'operator' | 'stationName'> = {
  enabled: false,
  subject: 'CN=device-{uid}',
  subjectAltNames: [],
  validityDays: 825,
  proof: true,
};

export interface IdentityControllerOptions {
  dataDir: string;
  /** The app's own sealer: the OS keychain in the desktop app (used for the CA then), a key file elsewhere. */
  appSealer: KeySealer;
  settings: SettingsStore;
  now: () => Date;
  /** scrypt parameters of passphrase-protected CAs made here (tests use cheaper ones). */
  scrypt?: ScryptParameters;
  /** Keys made ahead: about the boards provisioned at once. */
  poolSize: number;
  serverIdentity(): Promise<{ key: string; certChain: Uint8Array[] }>;
  interfaces?: () => NetworkInterfaceMap;
  /** The station the provisioning runs use (undefined: none open). */
  use(station: IdentityStation | undefined): void;
  onChange(view: IdentityStationView): void;
  onLog(level: 'info' | 'warn' | 'error', text: string): void;
}

export class IdentityController {
  readonly caDir: string;
  private sealer: KeySealer | undefined;
  private station: IdentityStation | undefined;
  private openProblem: string | null = null;
  private reopening: Promise<void> = Promise.resolve();

  constructor(private readonly options: IdentityControllerOptions) {
    this.caDir = path.join(options.dataDir, 'station-ca');
  }

  get protection(): 'os-keychain' | 'passphrase' {
    return this.options.appSealer.kind === 'os-keychain' ? 'os-keychain' : 'passphrase';
  }

  settings(): IdentitySettingsView {
    const saved = this.options.settings.get().identity;
    return { ...DEFAULT_IDENTITY_SETTINGS, operator: userName(), stationName: hostname(), ...saved };
  }

  /** Resolves once a reopen in progress (settings changed, CA unlocked) has finished. */
  async settled(): Promise<void> {
    await this.reopening.catch(() => undefined);
  }

  /**
   * What a provisioning run uses: the open station; or, while "one identity per board" is on but no
   * station is open, one that refuses with the reason (never a silent run with the plan's shared key).
   */
  forRuns(): ProvisionerIdentity | undefined {
    if (this.station) return this.station;
    if (!this.settings().enabled) return undefined;
    return refusingIdentity(this.openProblem ?? 'One identity per board is on, but the station CA is not open: unlock it (or create one) under Station identities.');
  }

  async view(): Promise<IdentityStationView> {
    await this.reopening;
    const settings = this.settings();
    const folder = await CaFolder.open(this.caDir).catch(() => undefined);
    const summary = this.station?.summary();
    const ca: StationCaView | null = summary ? caView(summary.ca) : folder ? caView(folder.describe(this.options.now())) : null;
    const problem = !settings.enabled ? null : !folder ? 'Create or import a station CA first.' : !this.sealer ? 'Unlock the station CA to issue identities.' : this.openProblem;
    return {
      settings,
      ca,
      unlocked: this.sealer !== undefined,
      protection: this.protection,
      boards: summary?.boards ?? { issued: 0, written: 0, proven: 0, failed: 0, void: 0, superseded: 0 },
      awaitingRetry: (summary?.active ?? []).filter((entry) => entry.state === 'failed').map((entry) => ({ uid: entry.uid, certSerial: entry.certSerial, attempts: entry.attempts, lastFailure: entry.lastFailure ?? null })),
      auditFile: summary?.auditFile ?? path.join(this.caDir, 'audit.jsonl'),
      auditRecords: summary?.auditRecords ?? 0,
      auditHead: summary?.auditHead ?? null,
      validityWarning: summary?.validityWarning ?? null,
      problem,
      proofPort: summary?.proof.port ?? null,
    };
  }

  async setSettings(input: IdentitySettingsInput): Promise<IdentityStationView> {
    try {
      compileTemplate({ subject: input.subject, subjectAltNames: input.subjectAltNames });
    } catch (error) {
      throw new ApiError('BAD_TEMPLATE', error instanceof Error ? error.message : String(error));
    }
    await this.options.settings.update({ identity: { ...input } });
    this.options.onLog('info', `Station identities: ${input.enabled ? `one identity per board, subject "${input.subject}"` : 'off (boards get the plan as it is)'}.`);
    return this.reopenAndView();
  }

  async createCa(input: CreateStationCaInput): Promise<IdentityStationView> {
    await this.refuseExistingCa();
    const sealer = this.newSealer(input.passphrase);
    try {
      const ca = await createStationCa({ subject: input.subject, keyType: input.keyType, validityDays: input.validityDays, now: this.options.now() });
      await CaFolder.create(this.caDir, ca, sealer, this.options.now());
    } catch (error) {
      throw asApiError(error);
    }
    this.options.onLog('info', `Station CA created in ${this.caDir}.`);
    this.sealer = sealer;
    return this.reopenAndView();
  }

  async importCa(input: ImportStationCaInput): Promise<IdentityStationView> {
    await this.refuseExistingCa();
    const sealer = this.newSealer(input.passphrase);
    try {
      const files = input.files.map((file) => ({ name: file.name, bytes: new Uint8Array(Buffer.from(file.data, 'base64')) }));
      const sorted = await sortCaImportFiles(files, async (file) => {
        try {
          return readPkcs12(file.bytes, input.p12Password);
        } catch (error) {
          if (error instanceof IntakeError && (error.code === 'P12_PASSWORD_REQUIRED' || error.code === 'P12_BAD_PASSWORD')) {
            throw new ApiError('P12_PASSWORD', `${file.name} needs its password${input.p12Password ? ' (the one given does not open it)' : ''}: enter it and import again.`);
          }
          throw error;
        }
      });
      const ca = prepareCaImport({ ...sorted, now: this.options.now() });
      await CaFolder.create(this.caDir, ca, sealer, this.options.now());
      for (const note of ca.notes) this.options.onLog('info', `Station CA import: ${note}`);
    } catch (error) {
      throw asApiError(error);
    }
    this.options.onLog('info', `Station CA imported into ${this.caDir}.`);
    this.sealer = sealer;
    return this.reopenAndView();
  }

  async unlock(passphrase: string | null): Promise<IdentityStationView> {
    let folder: CaFolder;
    try {
      folder = await CaFolder.open(this.caDir);
    } catch (error) {
      throw asApiError(error);
    }
    let sealer: KeySealer;
    if (folder.keyProtection === 'passphrase') {
      if (!passphrase) throw new ApiError('PASSPHRASE_REQUIRED', "Enter the station CA's passphrase.");
      sealer = this.passphraseSealer(passphrase);
    } else if (folder.keyProtection === this.options.appSealer.kind) {
      sealer = this.options.appSealer;
    } else {
      throw new ApiError('CA_WRONG_PROTECTION', folder.keyProtection === 'os-keychain' ? "This CA's key is protected by the desktop app's keychain: open it in the desktop app." : "This CA's key is protected by another computer's key file.");
    }
    try {
      (await folder.openSigner(sealer, this.options.now())).close();
    } catch (error) {
      throw asApiError(error);
    }
    this.sealer = sealer;
    this.options.onLog('info', 'Station CA unlocked for this session.');
    return this.reopenAndView();
  }

  async lock(): Promise<IdentityStationView> {
    const sealer = this.sealer;
    this.sealer = undefined;
    await this.closeStation();
    if (sealer instanceof PassphraseSealer) await sealer.dispose();
    this.options.onLog('info', 'Station CA locked.');
    const view = await this.view();
    this.options.onChange(view);
    return view;
  }

  /** After each run: the counters and the audit head moved. */
  async changed(): Promise<void> {
    if (!this.settings().enabled) return;
    this.options.onChange(await this.view());
  }

  async close(): Promise<void> {
    await this.closeStation();
  }

  private async reopenAndView(): Promise<IdentityStationView> {
    this.reopening = this.reopen();
    await this.reopening;
    const view = await this.view();
    this.options.onChange(view);
    return view;
  }

  private async reopen(): Promise<void> {
    await this.closeStation();
    this.openProblem = null;
    const settings = this.settings();
    if (!settings.enabled || !this.sealer) return;
    try {
      this.station = await IdentityStation.open(
        {
          caDir: this.caDir,
          template: { subject: settings.subject, subjectAltNames: settings.subjectAltNames },
          validityDays: settings.validityDays,
          station: settings.stationName,
          operator: settings.operator,
          proof: settings.proof,
          poolSize: this.options.poolSize,
        },
        { sealer: this.sealer, serverIdentity: this.options.serverIdentity, ...(this.options.interfaces ? { interfaces: this.options.interfaces } : {}), now: this.options.now, onLog: this.options.onLog },
      );
      this.options.use(this.station);
    } catch (error) {
      this.openProblem = `The station identities could not be opened: ${error instanceof Error ? error.message : String(error)}`;
      this.options.onLog('error', this.openProblem);
    }
  }

  private async closeStation(): Promise<void> {
    const station = this.station;
    this.station = undefined;
    this.options.use(undefined);
    await station?.close().catch(() => undefined);
  }

  private async refuseExistingCa(): Promise<void> {
    const existing = await CaFolder.open(this.caDir).catch(() => undefined);
    if (existing) throw new ApiError('CA_EXISTS', `The station already has a CA (${existing.describe().subject}). Its certificates stay valid; move ${this.caDir} away to start another.`);
  }

  private newSealer(passphrase: string | undefined): KeySealer {
    if (this.protection === 'os-keychain') return this.options.appSealer;
    if (!passphrase) throw new ApiError('PASSPHRASE_REQUIRED', "Choose a passphrase for the CA's key (at least 8 characters): it is asked each time the station starts issuing identities.");
    return this.passphraseSealer(passphrase);
  }

  private passphraseSealer(passphrase: string): PassphraseSealer {
    try {
      return new PassphraseSealer(passphrase, this.options.scrypt ? { parameters: this.options.scrypt } : {});
    } catch (error) {
      throw asApiError(error);
    }
  }
}

function caView(view: CaFolderView): StationCaView {
  return {
    subject: view.subject,
    issuer: view.issuer,
    kind: view.kind,
    sha256Fingerprint: view.sha256Fingerprint,
    notBefore: view.notBefore,
    notAfter: view.notAfter,
    expired: view.expired,
    keyType: view.keyType,
    keyProtection: view.keyProtection,
    identitiesIssued: view.identitiesIssued,
    nextStationSerial: view.nextStationSerial,
    dir: view.dir,
  };
}

/** Stands in for the station while it cannot issue: every run is refused in pre-flight with the reason. */
function refusingIdentity(problem: string): ProvisionerIdentity {
  const refuse = (): never => {
    throw new Error(problem);
  };
  return { proofRequired: false, usesMac: false, preflight: () => problem, identityForBoard: refuse, recordWritten: refuse, recordProven: refuse, recordFailed: refuse, proofEndpoint: refuse };
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : 'IDENTITY_FAILED';
  return new ApiError(code, error instanceof Error ? error.message : String(error));
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '';
  }
}
