import { inflateSync } from 'node:zlib';

/**
 * Just enough PDF reading to check what a Chromium-printed PDF says, without poppler: inflate the streams, read
 * each font's ToUnicode CMap, and decode the text-showing operators (Tj, TJ, ', ") of every content stream with
 * the font selected by Tf. Text positioning operators become spaces. Test helper, not a general PDF parser.
 */

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

function objects(pdf: Buffer): Map<number, PdfObject> {
  const s = pdf.toString('latin1');
  const out = new Map<number, PdfObject>();
  const re = /(\d+)\s+0\s+obj\b/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const start = m.index + m[0].length;
    const end = s.indexOf('endobj', start);
    if (end < 0) break;
    const body = s.slice(start, end);
    const si = body.indexOf('stream');
    let dict = body;
    let stream: Buffer | null = null;
    if (si >= 0 && /\/Length/.test(body.slice(0, si))) {
      dict = body.slice(0, si);
      let ds = start + si + 'stream'.length;
      if (s[ds] === '\r') ds++;
      if (s[ds] === '\n') ds++;
      const len = Number(/\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict)?.[1] ?? Number.NaN);
      const raw = Number.isFinite(len) ? pdf.subarray(ds, ds + len) : pdf.subarray(ds, s.indexOf('endstream', ds));
      try {
        stream = /\/FlateDecode/.test(dict) ? inflateSync(raw) : raw;
      } catch {
        stream = raw;
      }
    }
    out.set(Number(m[1]), { dict, stream });
    re.lastIndex = end;
  }
  return out;
}

function utf16be(hex: string): string {
  let out = '';
  for (let i = 0; i + 4 <= hex.length; i += 4) out += String.fromCharCode(Number.parseInt(hex.slice(i, i + 4), 16));
  return out;
}

function parseCMap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g))
      map.set(m[1]!.toUpperCase(), utf16be(m[2]!));
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])/g)) {
      const lo = Number.parseInt(m[1]!, 16);
      const hi = Number.parseInt(m[2]!, 16);
      const width = m[1]!.length;
      if (m[3]!.startsWith('[')) {
        const items = [...m[3]!.matchAll(/<([0-9A-Fa-f]+)>/g)].map((x) => utf16be(x[1]!));
        for (let c = lo; c <= hi; c++) map.set(c.toString(16).toUpperCase().padStart(width, '0'), items[c - lo] ?? '');
      } else {
        const base = m[3]!.slice(1, -1);
        const last = Number.parseInt(base.slice(-4), 16);
        for (let c = lo; c <= hi; c++) {
          map.set(
            c.toString(16).toUpperCase().padStart(width, '0'),
            utf16be(base.slice(0, -4) + (last + c - lo).toString(16).padStart(4, '0')),
          );
        }
      }
    }
  }
  return map;
}

export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}

export function pdfText(pdf: Buffer): string {
  const objs = objects(pdf);
  // Font resource name → ToUnicode map (Skia gives each font a unique resource name).
  const fontMaps = new Map<number, Map<string, string>>();
  for (const [id, o] of objs) {
    const tu = /\/ToUnicode\s+(\d+)\s+0\s+R/.exec(o.dict);
    if (tu) {
      const cm = objs.get(Number(tu[1]));
      if (cm?.stream) fontMaps.set(id, parseCMap(cm.stream.toString('latin1')));
    }
  }
  const byName = new Map<string, Map<string, string>>();
  for (const o of objs.values()) {
    for (const fd of o.dict.matchAll(/\/Font\s*<<([\s\S]*?)>>/g)) {
      for (const m of fd[1]!.matchAll(/\/([^\s/<>]+)\s+(\d+)\s+0\s+R/g)) {
        const map = fontMaps.get(Number(m[2]));
        if (map) byName.set(m[1]!, map);
      }
    }
  }
  const out: string[] = [];
  for (const o of objs.values()) {
    if (!o.stream || /\/(Subtype\s*\/(Image|Type1C|CIDFontType0C|OpenType)|Length1)/.test(o.dict)) continue;
    const s = o.stream.toString('latin1');
    if (!/\bBT\b/.test(s)) continue;
    let font: Map<string, string> | undefined;
    const decodeHex = (hex: string): string => {
      const h = hex.replace(/\s+/g, '').toUpperCase();
      if (!font) return '';
      const w = font.keys().next().value?.length ?? 4;
      let t = '';
      for (let i = 0; i + w <= h.length; i += w) t += font.get(h.slice(i, i + w)) ?? '';
      return t;
    };
    const tokens =
      s.match(/\/[^\s/<>[\]()]+|<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\)|\[|\]|-?\d*\.?\d+|[A-Za-z'"*]+/g) ?? [];
    const stack: string[] = [];
    for (const tok of tokens) {
      if (tok === 'Tf') {
        const name = stack[stack.length - 2]?.slice(1);
        font = name ? byName.get(name) : undefined;
        stack.length = 0;
      } else if (tok === 'Tj' || tok === "'" || tok === '"') {
        const arg = stack[stack.length - 1] ?? '';
        out.push(arg.startsWith('<') ? decodeHex(arg.slice(1, -1)) : arg.startsWith('(') ? arg.slice(1, -1) : '');
        stack.length = 0;
      } else if (tok === 'TJ') {
        for (const a of stack) {
          if (a.startsWith('<')) out.push(decodeHex(a.slice(1, -1)));
          else if (a.startsWith('(')) out.push(a.slice(1, -1));
          else if (/^-?\d/.test(a) && Number(a) < -200) out.push(' ');
        }
        stack.length = 0;
      } else if (tok === 'Td' || tok === 'TD' || tok === 'Tm' || tok === 'T*' || tok === 'ET') {
        out.push(' ');
        stack.length = 0;
      } else if (/^[A-Za-z*]+$/.test(tok) && tok !== 'R') {
        stack.length = 0;
      } else {
        stack.push(tok);
      }
    }
    out.push('\n');
  }
  return out.join('');
}

/**
 * Text with all whitespace removed and NFKC-normalised (Chromium's ToUnicode maps some CJK glyphs to their Kangxi
 * radical code points, e.g. U+2F70 for 示), for robust containment checks across line and word breaks.
 */
export function squash(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}
