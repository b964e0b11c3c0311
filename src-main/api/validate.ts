import { z } from 'zod';
import { API_METHODS, IMPORT_LIMITS, type ApiMethod, type WincApi } from './contract.js';
import { passphraseProblem, ssidProblem } from './wifi-rules.js';

/**
 * Argument schemas for every API method: the main-side boundary validates each
 * payload before a handler sees it, whichever transport carried it.
 */
const MAX_IMPORT_BYTES_BASE64 = Math.ceil(IMPORT_LIMITS.maxFileBytes / 3) * 4;
const id = z.string().min(1).max(200);
const section = z.enum(['root', 'tls']);
const importedFile = z.strictObject({
  name: z.string().min(1).max(500),
  data: z.string().max(MAX_IMPORT_BYTES_BASE64),
  password: z.string().max(1000).optional(),
});
// Byte and character rules of wifi-rules.ts; "keep the stored passphrase" (omitted) is checked by the backend, which knows.
const wifiSettings = z
  .strictObject({
    ssid: z.string().max(256),
    security: z.enum(['open', 'wpa2']),
    passphrase: z.string().max(256).optional(),
  })
  .superRefine((settings, context) => {
    const ssid = ssidProblem(settings.ssid);
    if (ssid) context.addIssue({ code: 'custom', path: ['ssid'], message: ssid });
    const passphrase = settings.passphrase === undefined ? null : passphraseProblem(settings.security, settings.passphrase);
    if (passphrase) context.addIssue({ code: 'custom', path: ['passphrase'], message: passphrase });
  });
const none = z.tuple([]);
const importId = z.string().min(1).max(100);
// base64 of one chunk: 4 characters per 3 bytes.
const MAX_CHUNK_BASE64 = Math.ceil(IMPORT_LIMITS.chunkBytes / 3) * 4;
const identitySettings = z.strictObject({
  enabled: z.boolean(),
  subject: z.string().min(1).max(1000),
  subjectAltNames: z.array(z.string().min(1).max(500)).max(16),
  validityDays: z.number().int().min(1).max(36500),
  proof: z.boolean(),
  operator: z.string().max(200),
  stationName: z.string().max(200),
});
const caPassphrase = z.string().min(8).max(1000);

const argumentSchemas = {
  getAppInfo: none,
  echo: z.tuple([z.string().max(10_000)]),
  getWorkspace: none,
  importFiles: z.tuple([z.array(importedFile).min(1).max(200)]),
  beginImport: z.tuple([z.array(z.strictObject({ name: z.string().min(1).max(500), size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })).min(1).max(100_000)]),
  importChunk: z.tuple([importId, z.number().int().min(0).max(100_000), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().max(MAX_CHUNK_BASE64).regex(/^[A-Za-z0-9+/]*={0,2}$/)]),
  finishImport: z.tuple([importId]),
  cancelImport: z.tuple([importId]),
  importPaths: z.tuple([z.array(z.string().min(1).max(4096)).min(1).max(1000)]),
  importPemText: z.tuple([z.string().min(1).max(1_000_000)]),
  importSamples: none,
  removeItem: z.tuple([id]),
  setFilePassword: z.tuple([z.string().min(1).max(500), z.string().max(1000)]),
  clearWorkspace: none,
  undoWorkspaceChange: none,
  setChainOrder: z.tuple([id, z.array(id).min(1).max(16)]),
  restoreChainOrder: z.tuple([id]),
  getFlashMap: none,
  listNetworkInterfaces: none,
  getServerStatus: none,
  startServer: z.tuple([z.string().min(1).max(255), z.number().int().min(0).max(65535)]),
  stopServer: none,
  regenerateServerIdentity: none,
  exportServerCertificate: none,
  listPorts: none,
  connectBoard: z.tuple([z.string().min(1).max(500), z.enum(['native', 'fwupdater'])]),
  startDemoBoard: none,
  disconnectBoard: none,
  getBoard: none,
  readBoardFlash: none,
  getWifiSettings: none,
  saveWifiSettings: z.tuple([wifiSettings]),
  trustServerOnBoard: none,
  provision: none,
  cancelOperation: none,
  listBackups: z.tuple([z.enum(['board', 'all'])]),
  previewRestore: z.tuple([id]),
  restoreBackup: z.tuple([id, z.string().max(100).nullable()]),
  eraseSection: z.tuple([section, z.literal('ERASE')]),
  overrideInterruption: z.tuple([z.literal('OVERRIDE')]),
  exportLog: none,
  getProvisionSettings: none,
  setProvisionSettings: z.tuple([z.strictObject({ delivery: z.enum(['wifi', 'usb']), keepServerTrust: z.boolean() })]),
  getStation: none,
  setStationMode: z.tuple([z.boolean()]),
  getIdentityStation: none,
  setIdentitySettings: z.tuple([identitySettings]),
  createStationCa: z.tuple([z.strictObject({ subject: z.string().min(1).max(1000), keyType: z.enum(['rsa2048', 'p256']), validityDays: z.number().int().min(1).max(36500), passphrase: caPassphrase.optional() })]),
  importStationCa: z.tuple([z.strictObject({ files: z.array(importedFile).min(1).max(16), p12Password: z.string().max(1000).optional(), passphrase: caPassphrase.optional() })]),
  unlockStationCa: z.tuple([caPassphrase.nullable()]),
  lockStationCa: none,
  setStationOptions: z.tuple([z.object({ programFirmware: z.boolean(), maxBoards: z.number().int().min(1).max(8).optional(), extraPorts: z.array(z.string().min(1).max(255)).max(8).optional() }).strict()]),
  listFirmwareImages: none,
  programFirmware: z.tuple([z.enum(['samd21-xpro', 'mkr1000', 'feather-m0-wifi']), z.string().min(1).max(500).nullable()]),
} satisfies { [K in ApiMethod]: z.ZodType<Parameters<WincApi[K]>> };

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}

export function validateCall<M extends ApiMethod>(method: M, args: unknown): Parameters<WincApi[M]> {
  const schema = argumentSchemas[method] as unknown as z.ZodType<Parameters<WincApi[M]>>;
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    // Rules written for people (custom issues) are said as they are, without the schema path.
    if (parsed.error.issues.every((issue) => issue.code === 'custom')) {
      throw new ApiError('INVALID_INPUT', parsed.error.issues.map((issue) => issue.message).join(' '));
    }
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ');
    throw new ApiError('BAD_REQUEST', `Invalid arguments for ${method}: ${detail}`);
  }
  return parsed.data;
}
