export function installedElectronBinary(): string | undefined;
export function tryDownloadElectron(spawnSync: typeof import('node:child_process').spawnSync): Promise<boolean>;
