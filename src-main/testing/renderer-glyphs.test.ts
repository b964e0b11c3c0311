import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const RENDERER = path.resolve(import.meta.dirname, '..', '..', 'src-renderer');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.(tsx?|css|html)$/.test(name) && !name.endsWith('.test.ts') ? [file] : [];
  });
}

/**
 * Pictographs that plain text fonts (DejaVu, the one font on a bare Debian) lack: without an emoji
 * font they render as empty boxes ("⛔" did). Letters, punctuation, arrows and maths signs are fine.
 */
const NEEDS_EMOJI_FONT = /[\u{2300}-\u{23FF}\u{2600}-\u{27BF}\u{2B00}-\u{2BFF}\u{1F000}-\u{1FAFF}]|\u{FE0F}/u;

describe('renderer text', () => {
  it('uses no glyph that needs an emoji font', () => {
    const found: string[] = [];
    for (const file of sources(RENDERER)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const match = NEEDS_EMOJI_FONT.exec(line);
          if (match) found.push(`${path.relative(RENDERER, file)}:${index + 1} ${match[0]} (U+${match[0].codePointAt(0)!.toString(16).toUpperCase()})`);
        });
    }
    expect(found).toEqual([]);
  });
});
