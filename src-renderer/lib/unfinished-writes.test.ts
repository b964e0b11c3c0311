import { describe, expect, it } from 'vitest';
import type { StationTileView, UnfinishedWriteView } from '../../src-main/api/contract';
import { interruptedWrites } from './unfinished-writes';

const write = (boardId: string): UnfinishedWriteView => ({ boardId, operation: 'provision', startedAt: '2026-12-03T13:55:50.000Z', backupId: `b-${boardId}` });
const tile = (boardId: string, state: StationTileView['state'], present = true): StationTileView =>
  ({ port: `/dev/${boardId}`, boardId, state, present, phase: null, progress: null, message: null, result: null, identity: null, startedAt: '' }) as StationTileView;

describe('the unfinished-writes banner', () => {
  it('leaves out a board that station mode is provisioning right now', () => {
    expect(interruptedWrites([write('A'), write('B')], [tile('A', 'provisioning'), tile('C', 'passed')])).toEqual([write('B')]);
    expect(interruptedWrites([write('A')], [tile('A', 'recovering')])).toEqual([]);
  });

  it('still reports a board whose station run ended, or that was unplugged mid-run', () => {
    expect(interruptedWrites([write('A')], [tile('A', 'failed')])).toEqual([write('A')]);
    expect(interruptedWrites([write('A')], [tile('A', 'provisioning', false)])).toEqual([write('A')]);
    expect(interruptedWrites([write('A')], [])).toEqual([write('A')]);
  });
});
