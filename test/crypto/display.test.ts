import { describe, expect, it } from 'vitest';
import { compareDecimal, formatAmount, groupThousands, roundDecimal } from '../../src/crypto/display.js';
import { layoutByHop } from '../../src/crypto/flow-layout.js';

describe('amounts for people (decimal strings, never floats)', () => {
  it('rounds the trace view amounts exactly, with a carry through nines', () => {
    expect(roundDecimal('8506.39994419', 2)).toBe('8506.4');
    expect(roundDecimal('449.9999999999', 4)).toBe('450');
    expect(roundDecimal('999.99995', 4)).toBe('1000');
    expect(roundDecimal('0.1234565', 6)).toBe('0.123457');
    expect(roundDecimal('182163.95603', 2)).toBe('182163.96');
    expect(roundDecimal('2', 4)).toBe('2');
    expect(roundDecimal('-1.005', 2)).toBe('-1.01');
  });

  it('prints exactly when asked (to the wei), rounded otherwise, grouped by thousands', () => {
    expect(formatAmount('8506.39994419')).toBe('8,506.4');
    expect(formatAmount('8506.39994419', { exact: true })).toBe('8,506.39994419');
    expect(formatAmount('140.143581706274123456', { exact: true })).toBe('140.143581706274123456');
    expect(formatAmount('140.143581706274123456')).toBe('140.1436');
    expect(formatAmount('0.000000000000000001')).toBe('< 0.000001');
    expect(formatAmount('0')).toBe('0');
    expect(groupThousands('182163')).toBe('182,163');
    // A float would print 9007199254740993 as ...992: the strings keep every digit.
    expect(formatAmount('9007199254740993', { exact: true })).toBe('9,007,199,254,740,993');
    expect(['10.5', '9.99', '10.05', '100'].sort(compareDecimal)).toEqual(['9.99', '10.05', '10.5', '100']);
  });
});

describe('flow graph layout by hop, left to right', () => {
  it('puts the seed first, each hop in its own column, receivers near their senders, no two on one spot', () => {
    const nodes = [
      { id: 'S', hop: 0 },
      { id: 'A', hop: 1 },
      { id: 'B', hop: 1 },
      { id: 'a1', hop: 2 },
      { id: 'b1', hop: 2 },
      { id: 'b2', hop: 2 },
    ];
    const edges = [
      { from: 'S', to: 'B' },
      { from: 'S', to: 'A' },
      { from: 'B', to: 'b2' },
      { from: 'A', to: 'a1' },
      { from: 'B', to: 'b1' },
      { from: 'a1', to: 'S' }, // back to the seed: drawn, but does not move the seed
    ];
    const { positions, columns, tallest } = layoutByHop(nodes, edges, { columnGapPx: 100, rowGapPx: 10 });
    expect(columns).toBe(3);
    expect(tallest).toBe(3);
    expect(positions.get('S')).toMatchObject({ x: 0, y: 0 });
    expect(['A', 'B'].map((id) => positions.get(id)!.x)).toEqual([100, 100]);
    // a1 (from A, row 0) comes before b1 and b2 (from B, row 1).
    expect(['a1', 'b1', 'b2'].map((id) => positions.get(id)!.row)).toEqual([0, 1, 2]);
    const spots = new Set([...positions.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(nodes.length);
  });
});
