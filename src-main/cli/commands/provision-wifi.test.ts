import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { createProvisionCommand } from './provision.js';

function command(env: NodeJS.ProcessEnv) {
  return createProvisionCommand({
    createBackend: () => {
      throw new Error('nothing may start before the Wi-Fi settings are checked');
    },
    env,
  });
}

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => command(env).run(argv, { stdout: () => {}, stderr: () => {} });

describe('winc-cert provision checks the Wi-Fi limits before anything is sent', () => {
  it('refuses an SSID over 32 bytes of UTF-8 and a passphrase that WPA2 cannot take', async () => {
    await expect(run(['--port', '/dev/null', '--wifi-ssid', 'é'.repeat(17), 'a.cer'])).rejects.toThrow(new UsageError('--wifi-ssid: The SSID is 34 bytes in UTF-8; Wi-Fi allows at most 32 bytes (accented letters and emoji take 2 to 4 bytes each).'));
    await expect(run(['--port', '/dev/null', '--wifi-ssid', 'lab', '--wifi-passphrase-env', 'PSK', 'a.cer'], { PSK: 'short' })).rejects.toThrow(/the passphrase in PSK: The passphrase is 5 characters; WPA2 needs at least 8/);
    await expect(run(['--port', '/dev/null', '--wifi-ssid', 'lab', '--wifi-passphrase-env', 'PSK', 'a.cer'], { PSK: 'g'.repeat(64) })).rejects.toThrow(/hex digits only/);
  });
});
