import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATION_LOCK_FILE, StationLock } from './station-lock.js';

const folder = () => mkdtempSync(join(tmpdir(), 'station-lock-'));

describe('one station at a time per CA folder', () => {
  it('refuses a second process while the first holds the CA, naming it and the way out; free again once released', async () => {
    const dir = folder();
    const first = await StationLock.acquire(dir, { pid: 1001, host: 'bench-pc', alive: () => true, now: () => new Date('2026-12-03T10:00:00Z') });
    expect(JSON.parse(readFileSync(join(dir, STATION_LOCK_FILE), 'utf8'))).toEqual({ pid: 1001, host: 'bench-pc', since: '2026-12-03T10:00:00.000Z' });
    const second = StationLock.acquire(dir, { pid: 1002, host: 'bench-pc', alive: () => true });
    await expect(second).rejects.toMatchObject({ code: 'STATION_CA_IN_USE' });
    await expect(second).rejects.toThrow(`The station CA in ${dir} is in use by process 1001 on bench-pc, since 2026-12-03T10:00:00.000Z`);
    await expect(second).rejects.toThrow(/one 'winc-cert station --port … --port …'/u);
    await first.release();
    expect(existsSync(join(dir, STATION_LOCK_FILE))).toBe(false);
    await (await StationLock.acquire(dir, { pid: 1002, host: 'bench-pc', alive: () => true })).release();
  });

  it('takes over a lock left by a process that is gone, but not one from another computer', async () => {
    const dir = folder();
    writeFileSync(join(dir, STATION_LOCK_FILE), JSON.stringify({ pid: 4242, host: 'bench-pc', since: '2026-12-01T08:00:00.000Z' }));
    const taken = await StationLock.acquire(dir, { pid: 1003, host: 'bench-pc', alive: (pid) => pid !== 4242 });
    expect(JSON.parse(readFileSync(join(dir, STATION_LOCK_FILE), 'utf8'))).toMatchObject({ pid: 1003 });
    await taken.release();

    writeFileSync(join(dir, STATION_LOCK_FILE), JSON.stringify({ pid: 4242, host: 'other-pc', since: '2026-12-01T08:00:00.000Z' }));
    await expect(StationLock.acquire(dir, { pid: 1003, host: 'bench-pc', alive: () => false })).rejects.toThrow(/in use by process 4242 on other-pc/u);
  });
});
