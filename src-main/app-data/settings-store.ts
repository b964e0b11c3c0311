import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const SETTINGS_FILE = 'settings.json';

const settingsSchema = z.object({
  wifi: z
    .object({
      ssid: z.string(),
      security: z.enum(['open', 'wpa2']),
      /** Sealed with SecretBox; never the plain passphrase. */
      sealedPassphrase: z.string().optional(),
    })
    .optional(),
  server: z.object({ host: z.string(), port: z.number().int() }).optional(),
  firmware: z.string().optional(),
  /** How files reach the module, chosen once per station. */
  delivery: z.enum(['wifi', 'usb']).optional(),
  /** Keep the station trust CA in modules after Wi-Fi provisioning (default: removed). */
  keepServerTrust: z.boolean().optional(),
  /** Backups kept per board (older ones are pruned unless an unfinished write needs them). */
  backupsKept: z.number().int().min(1).max(1000).optional(),
  /** Station identities (issue 16): one identity per board, its template, the proof. */
  identity: z
    .object({
      enabled: z.boolean(),
      subject: z.string(),
      subjectAltNames: z.array(z.string()),
      validityDays: z.number().int(),
      proof: z.boolean(),
      operator: z.string(),
      stationName: z.string(),
    })
    .optional(),
});

export type Settings = z.infer<typeof settingsSchema>;

/** The app's small JSON settings file; a damaged file is replaced by defaults, never a crash. */
export class SettingsStore {
  private constructor(
    private readonly file: string,
    private settings: Settings,
  ) {}

  static async open(dataDir: string): Promise<SettingsStore> {
    const file = path.join(dataDir, SETTINGS_FILE);
    let settings: Settings = {};
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) settings = parsed.data;
    } catch {
      // missing or unreadable: start from defaults
    }
    return new SettingsStore(file, settings);
  }

  get(): Settings {
    return this.settings;
  }

  async update(change: Partial<Settings>): Promise<Settings> {
    this.settings = { ...this.settings, ...change };
    const temporary = `${this.file}.tmp`;
    await writeFile(temporary, JSON.stringify(this.settings, null, 2), { mode: 0o600 });
    await rename(temporary, this.file);
    return this.settings;
  }
}
