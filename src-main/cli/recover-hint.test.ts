import { describe, expect, it } from 'vitest';
import { recoverCommandLine, shellWord } from './recover-hint.js';

describe('the board recover hint', () => {
  it('names the data folder the failing command used, so the journal and backups are found', () => {
    expect(recoverCommandLine({ port: '/dev/ttyACM0', dataDir: '/srv/station/data' }, false)).toBe('winc-cert board recover --port /dev/ttyACM0 --data-dir /srv/station/data');
    expect(recoverCommandLine({ port: '/dev/ttyACM0', dataDir: '/srv/station/data' }, true)).toBe('winc-cert board recover --port /dev/ttyACM0 --data-dir /srv/station/data --restore');
  });

  it('leaves out what was left at its default, and keeps a FirmwareUpdater board and its baud rate', () => {
    expect(recoverCommandLine({ port: 'COM3' }, true)).toBe('winc-cert board recover --port COM3 --restore');
    expect(recoverCommandLine({ port: '/dev/ttyACM0', protocol: 'native' }, false)).toBe('winc-cert board recover --port /dev/ttyACM0');
    expect(recoverCommandLine({ port: '/dev/ttyACM0', protocol: 'fwupdater', baudRate: 1_000_000 }, false)).toBe('winc-cert board recover --port /dev/ttyACM0 --protocol fwupdater --baud 1000000');
  });

  it('quotes paths a shell would split or expand', () => {
    expect(shellWord('/dev/serial/by-id/usb-Arduino_LLC_MKR1000-if00')).toBe('/dev/serial/by-id/usb-Arduino_LLC_MKR1000-if00');
    expect(shellWord('/home/ada/My Data')).toBe("'/home/ada/My Data'");
    expect(shellWord("/tmp/it's")).toBe("'/tmp/it'\\''s'");
    expect(recoverCommandLine({ port: '/dev/ttyACM0', dataDir: '/home/ada/My Data' }, false)).toBe("winc-cert board recover --port /dev/ttyACM0 --data-dir '/home/ada/My Data'");
  });
});
