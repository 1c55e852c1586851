import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import {
  FINDING_KINDS,
  kindLabel,
  MAP_KINDS,
  MARITIME_KINDS,
  parseKinds,
  resolveKind,
  SEVERITY_CUTOFFS,
  severityOf,
} from '../../src/findings/kinds.js';
import { DETECTOR_KINDS } from '../../src/maritime/events/index.js';
import { vesselRisk } from '../../src/maritime/risk/profile.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

const read = (p: string) => readFileSync(path.join(PACKAGE_ROOT, p), 'utf8');

describe('finding kinds, labels and severity: one module', () => {
  it('resolves short and full names, and refuses unknown ones naming the accepted names', () => {
    expect(resolveKind('encounter')).toBe('ais.encounter');
    expect(resolveKind('ais.encounter')).toBe('ais.encounter');
    expect(resolveKind(' Port-Visit ')).toBe('ais.port_visit');
    expect(resolveKind('exposure')).toBe('crypto.exposure');
    expect(resolveKind('match')).toBe('screening.match');
    expect(resolveKind('encounters')).toBeUndefined();
    expect(parseKinds(['gap,encounter', 'ais.gap'], '--kind')).toEqual(['ais.gap', 'ais.encounter']);
    expect(() => parseKinds(['gap,bogus'], '--kind')).toThrow(UserError);
    expect(() => parseKinds(['bogus'], '--kind')).toThrow(/--kind: unknown finding kind "bogus"; use gap \(ais\.gap\)/);
    // `allowed` narrows: detect cannot produce crypto findings.
    expect(() => parseKinds(['exposure'], '--kinds', MARITIME_KINDS)).toThrow(/unknown finding kind "exposure"/);
  });

  it('short names are unique and every detector kind is listed with a label', () => {
    const shorts = FINDING_KINDS.map((k) => k.short);
    expect(new Set(shorts).size).toBe(shorts.length);
    for (const k of DETECTOR_KINDS) {
      expect(MARITIME_KINDS).toContain(k);
      expect(MAP_KINDS).toContain(k);
      expect(kindLabel(k)).not.toBe(k);
    }
    expect(MARITIME_KINDS).toContain('ais.sanctions_match');
    expect(kindLabel('x.unknown')).toBe('x.unknown');
  });

  it("names every kind an analyser writes as a literal (findingId('x.y', ...)) and every detector kind", () => {
    const files = (readdirSync(path.join(PACKAGE_ROOT, 'src'), { recursive: true }) as string[]).filter((f) =>
      f.endsWith('.ts'),
    );
    const literal = new Set<string>();
    for (const f of files) {
      const src = read(path.join('src', f));
      for (const m of src.matchAll(/findingId\('([a-z]+\.[a-z_]+)'/g)) literal.add(m[1]!);
      // findingId(SOME_KIND, ...) with `const SOME_KIND = 'x.y'` in the same file.
      for (const m of src.matchAll(/findingId\(([A-Z_]+),/g)) {
        const c = new RegExp(`const ${m[1]} = '([a-z]+\\.[a-z_]+)'`).exec(src);
        if (c) literal.add(c[1]!);
      }
    }
    expect(literal.size).toBeGreaterThan(3);
    for (const kind of [...literal, ...DETECTOR_KINDS]) expect(resolveKind(kind), kind).toBe(kind);
  });

  it('one set of severity cut-offs for findings and vessel risk', () => {
    expect([0.7, 0.69, 0.4, 0.39].map(severityOf)).toEqual(['high', 'medium', 'medium', 'low']);
    expect(SEVERITY_CUTOFFS).toEqual({ high: 0.7, medium: 0.4 });
    const f = (score: number) => ({
      id: `f-${score}`,
      kind: 'ais.loitering',
      subjects: ['ais-412000001'],
      start: '2024-03-01T00:00:00.000Z',
      score,
      redFlags: ['VOYAGE_IRREGULARITIES'],
      explanation: 'loitered',
      evidence: [],
      params: {},
    });
    for (const score of [0.2, 0.6, 0.9, 1]) {
      const p = vesselRisk([f(score)], { mmsis: [412000001] });
      expect(p.severity).toBe(severityOf(p.score));
    }
    expect(vesselRisk([], { mmsis: [412000001] }).severity).toBe('none');
  });

  it('a superseded finding (kept because a case cites it) no longer counts in the vessel risk', () => {
    const exposure = {
      id: 'f-exposure',
      kind: 'vessel.ownership_exposure',
      subjects: ['ais-412000001'],
      start: '2024-03-01T00:00:00.000Z',
      score: 0.9,
      redFlags: [],
      explanation: 'managed by a listed company',
      evidence: [],
      params: {},
      details: { reason: 'listed' },
    };
    const live = vesselRisk([exposure], { mmsis: [412000001] });
    expect(live.factors.map((x) => x.code)).toContain('LISTED_CONTROLLER');
    const stale = { ...exposure, details: { reason: 'listed', superseded: { at: '2026-12-06', reason: 'gone' } } };
    const after = vesselRisk([stale], { mmsis: [412000001] });
    expect(after.factors).toEqual([]);
    expect(after.severity).toBe('none');
  });

  it('the browser imports the module: it has no node: imports and the web keeps no copy of kinds or cut-offs', () => {
    for (const f of ['src/findings/kinds.ts', 'src/errors.ts']) expect(read(f)).not.toMatch(/from 'node:/);
    for (const f of ['web/src/ui.tsx', 'web/src/pages/MapPage.tsx']) {
      const src = read(f);
      expect(src).toContain("/src/findings/kinds.js'");
      expect(src).not.toMatch(/'ais\.(gap|encounter|loitering)'/);
      expect(src).not.toMatch(/>= 0\.[47]\b/);
    }
  });
});
