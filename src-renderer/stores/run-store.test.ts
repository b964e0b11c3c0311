import { describe, expect, it } from 'vitest';
import type { StationStatusView, WincBridge } from '../../src-main/api/contract';

const status = (change: Partial<StationStatusView>): StationStatusView =>
  ({ enabled: false, state: 'off', passed: 0, failed: 0, programFirmware: false, maxBoards: 8, extraPorts: [], tiles: [], pausedReason: null, ...change }) as StationStatusView;

describe('the station switch in the run store', () => {
  it('keeps a pause main announced while the answer to "turn it on" was on its way', async () => {
    let answer: (value: StationStatusView) => void = () => undefined;
    const bridge = { setStationMode: () => new Promise<StationStatusView>((resolve) => (answer = resolve)) } as unknown as WincBridge;
    (globalThis as unknown as { window: { wincApi: WincBridge } }).window = { wincApi: bridge };
    const { useRunStore } = await import('./run-store');
    const store = useRunStore.getState();
    // No backups to load in this test.
    useRunStore.setState({ loadBackups: async () => undefined } as never);
    useRunStore.getState().setStation(status({}));

    const turningOn = store.setStationMode(true);
    expect(useRunStore.getState().station?.enabled).toBe(true);
    // Main turned it on, found no Wi-Fi and paused it: the event arrives before the answer.
    useRunStore.getState().setStation(status({ enabled: false, pausedReason: 'Enter the Wi-Fi the boards join.' }));
    answer(status({ enabled: true, state: 'waiting-for-board' }));
    await turningOn;
    expect(useRunStore.getState().station).toMatchObject({ enabled: false, pausedReason: 'Enter the Wi-Fi the boards join.' });
  });
});
