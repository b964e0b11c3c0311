import { describe, expect, it } from 'vitest';
import { validateCall } from './validate.js';
import { passphraseProblem, ssidProblem, wifiProblems } from './wifi-rules.js';

describe('Wi-Fi rules count bytes, not characters', () => {
  it('takes a 32-byte SSID and refuses 33 bytes, whatever the character count', () => {
    expect(ssidProblem('a'.repeat(32))).toBeNull();
    expect(ssidProblem('a'.repeat(33))).toMatch(/33 bytes.*at most 32 bytes/);
    // 16 characters, 32 bytes: fine. 17 "é" are 34 bytes though only 17 characters.
    expect(ssidProblem('é'.repeat(16))).toBeNull();
    expect(ssidProblem('é'.repeat(17))).toMatch(/34 bytes/);
    // Emoji: 4 bytes each in UTF-8, 2 UTF-16 units; 9 of them are 36 bytes.
    expect(ssidProblem('📶'.repeat(8))).toBeNull();
    expect(ssidProblem('📶'.repeat(9))).toMatch(/36 bytes/);
    expect(ssidProblem('')).toMatch(/Enter the SSID/);
    expect(ssidProblem('bad\u0000ssid')).toMatch(/NUL/);
  });

  it('takes 8-63 printable ASCII characters or exactly 64 hex digits for WPA2', () => {
    expect(passphraseProblem('wpa2', '12345678')).toBeNull();
    expect(passphraseProblem('wpa2', 'x'.repeat(63))).toBeNull();
    expect(passphraseProblem('wpa2', 'a1'.repeat(32))).toBeNull();
    expect(passphraseProblem('wpa2', '1234567')).toMatch(/7 characters.*at least 8/);
    expect(passphraseProblem('wpa2', 'g'.repeat(64))).toMatch(/hex digits only/);
    expect(passphraseProblem('wpa2', 'x'.repeat(65))).toMatch(/65 characters.*at most 63/);
    expect(passphraseProblem('wpa2', 'pässwörd-long')).toMatch(/printable ASCII.*"ä"/);
    expect(passphraseProblem('wpa2', 'tab\there-long')).toMatch(/control character U\+0009/);
    expect(passphraseProblem('wpa2', undefined)).toMatch(/Enter the WPA2 passphrase/);
    expect(passphraseProblem('wpa2', undefined, true)).toBeNull();
  });

  it('gives an open network no passphrase', () => {
    expect(passphraseProblem('open', undefined)).toBeNull();
    expect(passphraseProblem('open', '')).toBeNull();
    expect(passphraseProblem('open', 'something')).toMatch(/open network has no passphrase/);
  });

  it('lists problems per field in form order', () => {
    expect(wifiProblems({ ssid: 'x'.repeat(40), security: 'wpa2', passphrase: 'short' }).map((problem) => problem.field)).toEqual(['ssid', 'passphrase']);
    expect(wifiProblems({ ssid: 'lab', security: 'wpa2' }, { passphraseStored: true })).toEqual([]);
  });
});

describe('the contract refuses bad Wi-Fi settings before any handler runs', () => {
  it('says the rule, not a schema path', () => {
    expect(() => validateCall('saveWifiSettings', [{ ssid: 'é'.repeat(17), security: 'wpa2', passphrase: 'long-enough' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/^The SSID is 34 bytes/) }),
    );
    expect(() => validateCall('saveWifiSettings', [{ ssid: 'lab', security: 'wpa2', passphrase: 'short' }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => validateCall('saveWifiSettings', [{ ssid: 'lab', security: 'open', passphrase: 'not-for-open' }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(validateCall('saveWifiSettings', [{ ssid: '📶'.repeat(8), security: 'wpa2', passphrase: 'a1'.repeat(32) }])).toHaveLength(1);
  });
});
