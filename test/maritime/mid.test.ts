import { describe, expect, it } from 'vitest';
import { flagOf, mmsiMid } from '../../src/maritime/ais/mid.js';
import { mmsiMid as screeningMid } from '../../src/screening/identifiers.js';

describe('MID of an MMSI (ITU-R M.585)', () => {
  it('reads the MID and the form of every M.585 format', () => {
    expect(mmsiMid(445123456)).toEqual({ form: 'ship', mid: 445 });
    expect(mmsiMid(44512345)).toEqual({ form: 'group', mid: 445 }); // 044512345
    expect(mmsiMid(4451234)).toEqual({ form: 'coast', mid: 445 }); // 004451234
    expect(mmsiMid(111445123)).toEqual({ form: 'sar_aircraft', mid: 445 });
    expect(mmsiMid(844512345)).toEqual({ form: 'handheld', mid: 445 });
    expect(mmsiMid(994451234)).toEqual({ form: 'aton', mid: 445 });
    expect(mmsiMid(984451234)).toEqual({ form: 'parent_craft', mid: 445 });
    expect(mmsiMid(970123456)).toEqual({ form: 'sart', mid: null });
    expect(mmsiMid(972123456)).toEqual({ form: 'mob', mid: null });
    expect(mmsiMid(974123456)).toEqual({ form: 'epirb', mid: null });
  });

  it('gives no MID where the digits after the prefix cannot be a MID, or the prefix is unassigned', () => {
    for (const m of [123456789, 112445123, 911234567, 981234567, 804512345, 14512345, 1451234, 0, -5, 1e9, 4.5])
      expect(mmsiMid(m), String(m)).toEqual({ form: 'other', mid: null });
  });

  it('the flag follows the MID in every form that has one', () => {
    expect(flagOf(445123456)).toBe('KP');
    expect(flagOf(44512345)).toBe('KP');
    expect(flagOf(844512345)).toBe('KP');
    expect(flagOf(994121234)).toBe('CN');
    expect(flagOf(111338123)).toBe('US');
    expect(flagOf(970123456)).toBeUndefined();
    expect(flagOf(200123456)).toBeUndefined(); // 200 is not allocated
  });

  it("screening's MID of a text MMSI is the same reading", () => {
    expect(screeningMid('445123456')).toBe('445');
    expect(screeningMid('044512345')).toBe('445');
    expect(screeningMid('844512345')).toBe('445');
    expect(screeningMid('970123456')).toBeUndefined();
    expect(screeningMid('44512345')).toBeUndefined(); // not nine digits
  });
});
