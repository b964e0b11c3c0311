import type { StationTileView, UnfinishedWriteView } from '../../src-main/api/contract';

const AT_WORK: ReadonlySet<StationTileView['state']> = new Set(['connecting', 'checking', 'recovering', 'provisioning', 'programming-firmware']);

/**
 * The journal's open entries that really were cut short. A board station mode is writing to right now
 * has an open entry too — its run is under way, not stopped — so it is not reported as unfinished.
 */
export function interruptedWrites(writes: readonly UnfinishedWriteView[], tiles: readonly StationTileView[]): UnfinishedWriteView[] {
  const atWork = new Set(tiles.filter((tile) => tile.present && tile.boardId && AT_WORK.has(tile.state)).map((tile) => tile.boardId));
  return writes.filter((write) => !atWork.has(write.boardId));
}
