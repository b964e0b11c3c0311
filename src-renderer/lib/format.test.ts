import { describe, expect, it } from 'vitest';
import { formatBytes, hex, shortFingerprint } from './format';

describe('format helpers', () => {
  it('shortens fingerprints written with or without colons the same way', () => {
    expect(shortFingerprint('c71f7d0e09850a11aa')).toBe('C7:1F:7D:0E:09:85:0A:11');
    expect(shortFingerprint('C7:1F:7D:0E:09:85:0A:11:AA')).toBe('C7:1F:7D:0E:09:85:0A:11');
    expect(shortFingerprint(null)).toBe('—');
  });

  it('prints sizes and flash addresses as technicians read them', () => {
    expect(formatBytes(4096)).toBe('4 KiB');
    expect(formatBytes(628)).toBe('628 B');
    expect(hex(0x4000, 5)).toBe('0x04000');
  });
});
