import { beforeAll, describe, expect, it } from 'vitest';
import { parseUnXml } from '../../src/ingest/un-xml.js';
import { dataPath } from '../../src/paths.js';
import { hanCompanyReading, hanToPinyin } from '../../src/screening/chinese.js';
import { ScreeningIndex } from '../../src/screening/index.js';
import { transliterate } from '../../src/screening/transliterate.js';

describe('Han characters', () => {
  it('reads simplified and traditional characters in pinyin without tones', () => {
    expect(hanToPinyin('沈忠')).toBe('shen zhong');
    expect(hanToPinyin('華信')).toBe('hua xin');
    expect(hanToPinyin('华信')).toBe('hua xin');
    expect(transliterate('金正恩')).toBe('jin zheng en');
  });

  it('translates the company words of a Chinese registration and reads the rest in pinyin', () => {
    expect(hanCompanyReading('沈忠國際海運有限公司')).toBe('shen zhong international shipping limited company');
    expect(hanCompanyReading('華信船務(香港)有限公司')).toBe('hua xin shipping ( hong kong ) limited company');
    // No company word: no translated reading (the pinyin reading is enough).
    expect(hanCompanyReading('沈忠')).toBeUndefined();
    expect(hanCompanyReading('Shen Zhong')).toBeUndefined();
  });

  describe('against the UN list (Chinese names of DPRK-related shipping companies, Latin entries)', () => {
    let index: ScreeningIndex;
    beforeAll(async () => {
      const un = (await parseUnXml(dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'))).entities;
      // The UN entries also carry the Chinese names; leave them out so only the Latin spellings can match.
      index = ScreeningIndex.build(
        un.map((e) => {
          const p = e.toFtm().properties;
          const keep = (v: string[] | undefined) => (v ?? []).filter((n) => !/[\u4e00-\u9fff]/.test(n));
          return { id: e.id, schema: e.schema, properties: { ...p, name: keep(p.name), alias: keep(p.alias) } };
        }),
      );
    }, 60_000);

    it.each([
      ['沈忠國際海運有限公司', 'SHEN ZHONG INTERNATIONAL SHIPPING'],
      ['華信船務(香港)有限公司', 'HUAXIN SHIPPING HONGKONG LTD'],
    ])('%s → %s', (query, caption) => {
      const [top] = index.match({ id: 'q', schema: 'Organization', properties: { name: [query] } });
      expect(top?.caption).toBe(caption);
    });
  });
});
