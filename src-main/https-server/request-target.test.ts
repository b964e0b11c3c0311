import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target.js';

describe('parseRequestTarget', () => {
  it('accepts /NAME and decodes percent-escapes', () => {
    expect(parseRequestTarget('/root_ca.der')).toEqual({ kind: 'file', name: 'root_ca.der', token: undefined });
    expect(parseRequestTarget('/my%20cert.der')).toEqual({ kind: 'file', name: 'my cert.der', token: undefined });
  });

  it('reads the token query parameter and ignores others', () => {
    expect(parseRequestTarget('/k.key?x=1&token=abc_-9')).toEqual({ kind: 'file', name: 'k.key', token: 'abc_-9' });
    expect(parseRequestTarget('/k.key?token=')).toEqual({ kind: 'file', name: 'k.key', token: undefined });
    expect(parseRequestTarget('/a.der?')).toEqual({ kind: 'file', name: 'a.der', token: undefined });
  });

  it.each([
    ['', 'not-origin-form'],
    ['a.der', 'not-origin-form'],
    ['https://evil/a.der', 'not-origin-form'],
    ['*', 'not-origin-form'],
    ['/', 'empty-name'],
    ['/?token=x', 'empty-name'],
    ['/../etc/passwd', 'nested-path'],
    ['/dir/a.der', 'nested-path'],
    ['//a.der', 'nested-path'],
    ['/..\\a.der', 'nested-path'],
    ['/..', 'dot-segment'],
    ['/.', 'dot-segment'],
    ['/%2e%2e', 'dot-segment'],
    ['/..%2fetc%2fpasswd', 'nested-path'],
    ['/..%2Fa', 'nested-path'],
    ['/a%5cb', 'nested-path'],
    ['/a%00.der', 'control-character'],
    ['/a%0d%0aX: y', 'control-character'],
    ['/a%zz', 'bad-percent-encoding'],
    ['/a%', 'bad-percent-encoding'],
    ['/%c0%ae%c0%ae', 'bad-percent-encoding'],
    ['/%ff', 'bad-percent-encoding'],
    [`/${'a'.repeat(5000)}`, 'too-long'],
  ])('rejects %j (%s)', (target, reason) => {
    expect(parseRequestTarget(target)).toEqual({ kind: 'invalid', reason });
  });
});
