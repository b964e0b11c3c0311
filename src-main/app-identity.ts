import packageJson from '../package.json' with { type: 'json' };

export const APP_NAME = 'WINC Cert Studio';
export const APP_ID = 'io.winccertstudio.app';
export const APP_VERSION: string = packageJson.version;
