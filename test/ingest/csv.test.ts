import { describe, expect, it } from 'vitest';
import { CsvParser, parseCsv, readCsvFile } from '../../src/ingest/csv.js';
import { dataPath } from '../../src/paths.js';

describe('csv reader', () => {
  it('parses quoted fields with delimiters, doubled quotes and line breaks', () => {
    const rows = parseCsv('a,"b,c","say ""hi""",\r\n"multi\r\nline",x\n\nlast');
    expect(rows.map((r) => r.fields)).toEqual([['a', 'b,c', 'say "hi"', ''], ['multi\r\nline', 'x'], ['last']]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = 'x,"a""b",-0- \r\n"q\r\nr",2\r\n3,"end"';
    const whole = parseCsv(text).map((r) => r.fields);
    for (let size = 1; size < 8; size++) {
      const p = new CsvParser();
      const got = [];
      for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
      got.push(...p.end());
      expect(got.map((r) => r.fields)).toEqual(whole);
    }
  });

  it('rejects an unclosed quote with the line it started on', () => {
    expect(() => parseCsv('a,b\n"open,c\nd', { name: 'f.csv' })).toThrow('f.csv:2: quoted field is never closed');
  });

  it('reads the real OFAC 2024 sdn.csv (Windows-1252) with 14,965 rows plus the EOF byte record', async () => {
    const file = dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv');
    let rows = 0;
    let eof = 0;
    const widths = new Set<number>();
    for await (const r of readCsvFile(file, { encoding: 'windows-1252' })) {
      if (r.fields.length === 1 && r.fields[0] === '\u001a') eof++;
      else {
        rows++;
        widths.add(r.fields.length);
      }
    }
    expect(rows).toBe(14965);
    expect(eof).toBe(1);
    expect([...widths]).toEqual([12]);
  });
});
