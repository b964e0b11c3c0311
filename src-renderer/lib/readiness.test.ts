import { describe, expect, it } from 'vitest';
import type { BoardView, FlashMapView, WifiSettingsView, WorkspaceView } from '../../src-main/api/contract';
import { boardStep, certificatesStep, lowerFirst, provisionStep } from './readiness';
import { formatDuration, stepDurations, stepperSteps } from './stepper';

const workspace = (over: Partial<WorkspaceView>): WorkspaceView => ({ items: [], chains: [], plan: [], mainHSnippet: '', findings: [], passwordRequests: [], planValid: false, files: [], undo: null, ...over }) as WorkspaceView;
const file = { id: 'f1', name: 'a.cer', status: 'read' } as unknown as WorkspaceView['files'][number];
const planRow = { certType: 'ROOT_CERT', numOfChainCert: 0, fileName: 'root1.cer', itemId: 'i1', size: 900, secret: false } as WorkspaceView['plan'][number];
const error = { severity: 'error', code: 'KEY_MISMATCH', message: 'x', itemIds: [] } as unknown as WorkspaceView['findings'][number];
const OK = { state: 'ok', message: '', sections: null, backup: null, operation: null, startedAt: null, overridden: false } as const;
const board = (over: Partial<BoardView>): BoardView => ({ connection: 'connected', path: '/dev/x', protocol: 'native', simulated: true, boardKind: 'b', uniqueId: 'U', firmwareVersion: '1', wincChipId: '0x1', wincFirmware: '19.7.7', warnings: [], reconnecting: false, recovery: OK, unfinishedWrites: [], ...over }) as BoardView;
const wifi: WifiSettingsView = { ssid: 'bench', security: 'wpa2', hasPassphrase: true };
const fits = { fits: true, blockers: [] } as unknown as FlashMapView;

describe('the three steps say what they still need', () => {
  it('step 1: certificates, no errors, and a plan that fits — one reason per fact', () => {
    expect(certificatesStep(workspace({}), null).summary).toBe('Needs certificates');
    const withError = certificatesStep(workspace({ files: [file], plan: [planRow], findings: [error] }), { fits: false, blockers: ['too big'] } as unknown as FlashMapView);
    expect(withError.summary).toBe('Needs the error under Certificates fixed');
    expect(withError.items.map((item) => item.id)).not.toContain('fits');
    const tooBig = certificatesStep(workspace({ files: [file], plan: [planRow], planValid: true }), { fits: false, blockers: ['452 bytes too many'] } as unknown as FlashMapView);
    expect(tooBig).toMatchObject({ ready: false, summary: 'Needs a plan that fits the board' });
    expect(tooBig.items.find((item) => item.id === 'fits')?.hint).toBe('452 bytes too many');
    expect(certificatesStep(workspace({ files: [file], plan: [planRow], planValid: true }), fits)).toMatchObject({ ready: true, summary: 'Ready' });
  });

  it('step 2: a connected board without an unfinished write, and Wi-Fi only when the module downloads', () => {
    expect(boardStep(null, null, { delivery: 'wifi', keepServerTrust: false }).summary).toBe('Needs a connected board, the Wi-Fi the board joins');
    // Just connected: not ready until the recovery check has read it.
    expect(boardStep(board({ recovery: null }), wifi, null).summary).toBe('Needs the board checked');
    expect(boardStep(board({}), null, { delivery: 'usb', keepServerTrust: false }).ready).toBe(true);
    expect(boardStep(board({ protocol: 'fwupdater' }), null, { delivery: 'wifi', keepServerTrust: false }).ready).toBe(true);
    expect(boardStep(board({}), { ...wifi, hasPassphrase: false }, { delivery: 'wifi', keepServerTrust: false }).ready).toBe(false);
    expect(boardStep(board({}), { ssid: 'open-net', security: 'open', hasPassphrase: false }, { delivery: 'wifi', keepServerTrust: false }).ready).toBe(true);
    const interrupted = board({ recovery: { state: 'interrupted', message: '', sections: null, backup: null, operation: 'provision', startedAt: '', overridden: false } });
    expect(boardStep(interrupted, wifi, null).summary).toBe('Needs no unfinished write on it');
    expect(boardStep({ ...interrupted, recovery: { ...interrupted.recovery!, overridden: true } }, wifi, null).ready).toBe(true);
  });

  it('step 2 in station mode: boards come by themselves, so only the Wi-Fi is still to give', () => {
    expect(boardStep(null, wifi, { delivery: 'wifi', keepServerTrust: false }, true)).toMatchObject({ ready: true, summary: 'Ready' });
    expect(boardStep(null, null, { delivery: 'wifi', keepServerTrust: false }, true).summary).toBe('Needs the Wi-Fi the board joins');
  });

  it('step 3 lists what steps 1 and 2 miss, saying where', () => {
    const step3 = provisionStep(certificatesStep(workspace({}), null), boardStep(null, wifi, null));
    expect(step3.items.map((item) => `${item.label} (${item.hint})`)).toEqual(['Certificates (step 1: drop files or load the example set)', 'A connected board (step 2: connect a detected board or use the simulated one)']);
    expect(lowerFirst('The Wi-Fi the board joins')).toBe('the Wi-Fi the board joins');
    expect(lowerFirst('A plan')).toBe('a plan');
    expect(lowerFirst('USB cable')).toBe('USB cable');
  });
});

describe('the result stepper', () => {
  it('gathers run phases into Backup, Trust, Download, Write, Verify, Re-init (three steps over USB)', () => {
    expect(stepperSteps('wifi')).toEqual(['backup', 'trust', 'download', 'write', 'verify', 'reinit']);
    expect(stepperSteps('usb')).toEqual(['backup', 'write', 'verify']);
    const t = (phase: string, durationMs: number) => ({ phase, startedAt: '', durationMs }) as never;
    expect(stepDurations([t('backup', 900), t('configure', 100), t('wifi', 1500), t('download', 2000), t('erase', 50), t('write', 700), t('verify', 300), t('readback', 1000), t('reinit', 1000)])).toEqual({
      backup: 900,
      download: 3600,
      write: 750,
      verify: 1300,
      reinit: 1000,
    });
    expect([formatDuration(450), formatDuration(12_400), formatDuration(65_000)]).toEqual(['0.5 s', '12 s', '1 min 5 s']);
  });
});
