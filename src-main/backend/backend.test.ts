import { describe, expect, it } from 'vitest';
import { Backend } from './backend.js';

describe('Backend.dispatch', () => {
  const backend = new Backend({ mode: 'browser', now: () => new Date('2026-01-02T03:04:05Z') });

  it('runs a valid call', async () => {
    await expect(backend.dispatch('echo', ['hi'])).resolves.toEqual({ text: 'hi', receivedAt: '2026-01-02T03:04:05.000Z' });
    await expect(backend.dispatch('getAppInfo', [])).resolves.toMatchObject({ name: 'WINC Cert Studio', mode: 'browser' });
  });

  it('refuses unknown methods and prototype names', async () => {
    await expect(backend.dispatch('constructor', [])).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(backend.dispatch('__proto__', [])).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(backend.dispatch(42, [])).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
  });

  it('refuses payloads that do not match the contract', async () => {
    await expect(backend.dispatch('echo', [123])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.dispatch('echo', ['a', 'b'])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.dispatch('echo', 'hi')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.dispatch('getAppInfo', [1])).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('delivers events to subscribers until they unsubscribe', () => {
    const seen: string[] = [];
    const unsubscribe = backend.onEvent((event) => {
      if (event.name === 'log') seen.push(event.payload.text);
    });
    backend.log('app', 'info', 'one');
    unsubscribe();
    backend.log('app', 'info', 'two');
    expect(seen).toEqual(['one']);
  });
});
