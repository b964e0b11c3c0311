import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WincBridge } from '../../src-main/api/contract';
import { createWebSocketBridge } from './websocket-bridge';

/** A stand-in for the browser's WebSocket: records what is sent, lets the test answer and close. */
class FakeSocket extends EventTarget {
  static readonly OPEN = 1;
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  constructor(readonly url: string) {
    super();
    FakeSocket.instances.push(this);
    queueMicrotask(() => {
      this.readyState = FakeSocket.OPEN;
      this.dispatchEvent(new Event('open'));
    });
  }
  send(data: string) {
    this.sent.push(data);
  }
  receive(data: string) {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
  close(code: number) {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code }));
  }
}

let bridge: WincBridge;

beforeEach(() => {
  FakeSocket.instances = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.useFakeTimers({ toFake: ['setTimeout'] });
  bridge = createWebSocketBridge({ protocol: 'http:', host: '127.0.0.1:5000', search: '?token=abc' } as Location);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const lastId = (socket: FakeSocket) => (JSON.parse(socket.sent.at(-1)!) as { id: number }).id;

describe('the browser-mode bridge', () => {
  it('ignores replies it cannot read instead of throwing', async () => {
    const call = bridge.echo('hi');
    await vi.waitFor(() => expect(FakeSocket.instances[0]!.sent).toHaveLength(1));
    const socket = FakeSocket.instances[0]!;
    socket.receive('not json');
    socket.receive('null');
    socket.receive(JSON.stringify({ type: 'reply', id: lastId(socket), ok: true, result: { text: 'hi' } }));
    await expect(call).resolves.toEqual({ text: 'hi' });
  });

  it('fails waiting calls with the reason a connection closed, and opens a new one for events', async () => {
    const events: unknown[] = [];
    bridge.onEvent((event) => events.push(event));
    const call = bridge.echo('big');
    await vi.waitFor(() => expect(FakeSocket.instances[0]!.sent).toHaveLength(1));
    FakeSocket.instances[0]!.close(1009);
    await expect(call).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    vi.advanceTimersByTime(300);
    expect(FakeSocket.instances).toHaveLength(2);
    const next = bridge.echo('again');
    await vi.waitFor(() => expect(FakeSocket.instances[1]!.sent).toHaveLength(1));
    const socket = FakeSocket.instances[1]!;
    socket.receive(JSON.stringify({ type: 'event', event: { name: 'log', payload: {} } }));
    socket.receive(JSON.stringify({ type: 'reply', id: lastId(socket), ok: true, result: { text: 'again' } }));
    await expect(next).resolves.toEqual({ text: 'again' });
    expect(events).toHaveLength(1);
    expect(bridge.pathForFile(new Blob() as File)).toBe('');
  });
});
