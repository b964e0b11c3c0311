import { describe, expect, it } from 'vitest';
import { RENDERER_URL } from './app-protocol.js';
import { isTrustedSender, type IpcSenderInfo } from './sender-guard.js';

const RENDERER = RENDERER_URL;

function event(senderId: number, url: string, parent: unknown = null): IpcSenderInfo {
  return { sender: { id: senderId }, senderFrame: { url, parent } };
}

describe('isTrustedSender', () => {
  it('accepts the app window top frame on the renderer page', () => {
    expect(isTrustedSender(event(7, RENDERER), 7, RENDERER)).toBe(true);
    expect(isTrustedSender(event(7, `${RENDERER}#/provision`), 7, RENDERER)).toBe(true);
  });

  it('rejects another webContents', () => {
    expect(isTrustedSender(event(8, RENDERER), 7, RENDERER)).toBe(false);
  });

  it('rejects calls before the window exists', () => {
    expect(isTrustedSender(event(7, RENDERER), undefined, RENDERER)).toBe(false);
  });

  it('rejects sub-frames and foreign pages', () => {
    expect(isTrustedSender(event(7, RENDERER, {}), 7, RENDERER)).toBe(false);
    expect(isTrustedSender(event(7, 'https://evil.example/index.html'), 7, RENDERER)).toBe(false);
    expect(isTrustedSender(event(7, 'file:///tmp/other.html'), 7, RENDERER)).toBe(false);
    expect(isTrustedSender(event(7, 'file:///opt/app/resources/app.asar/build/renderer/index.html'), 7, RENDERER)).toBe(false);
    expect(isTrustedSender(event(7, 'app://winc-cert-studio.evil/index.html'), 7, RENDERER)).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: null }, 7, RENDERER)).toBe(false);
  });
});
