import { describe, expect, it } from 'vitest';
import { printable, quoted } from '../../src/util/printable.js';

describe('printable', () => {
  it('escapes control characters, undecodable bytes and bidi controls, and keeps other text', () => {
    expect(printable('ent_num')).toBe('ent_num');
    expect(printable('조선 Ωμέγα')).toBe('조선 Ωμέγα');
    expect(printable('a\u0000b\u001b[2J\r\n\t\u007f\u0085')).toBe('a\\x00b\\x1b[2J\\r\\n\\t\\x7f\\x85');
    expect(printable('\ufffd\ufeff\u202e\u2028\\')).toBe('\\ufffd\\ufeff\\u202e\\u2028\\\\');
    expect(printable('\ud800x')).toBe('\\ud800x');
  });

  it('cuts long text, noting its length', () => {
    expect(printable('x'.repeat(1000), 10)).toBe('xxxxxxxxxx… (1,000 chars)');
    expect(printable('x'.repeat(10), 10)).toBe('xxxxxxxxxx');
    expect(quoted('\u0000'.repeat(3), 2)).toBe('"\\x00\\x00… (3 chars)"');
  });
});
