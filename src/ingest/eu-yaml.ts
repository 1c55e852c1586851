import path from 'node:path';
import { InputError } from '../errors.js';
import { makeId, slugId } from '../model/ids.js';
import { countryCode } from './countries.js';
import { ListEntity, type ListParseResult, ParseStats } from './list-entity.js';
import { arr, readYamlDocs, str } from './yaml-docs.js';

/**
 * EU Financial Sanctions Files entries in ammitto's YAML rendering (one document per entity, fields named as in
 * the FSF XML) → FtM. Valuable for DPRK screening because the EU carries Hangul and Chinese names
 * (`name_language: KO`) and the UN reference number (`united_nation_id`), which joins these entries to the UN list:
 * the UN number is stored as `idNumber`, like the UN importer does.
 */

export const EU_SOURCE = 'eu_fsf';
const AUTHORITY = 'European Union';

function isoCountry(code: unknown, description?: unknown): string | undefined {
  const c = str(code)?.toLowerCase();
  if (c && c !== '00' && /^[a-z]{2}$/.test(c)) return c;
  return countryCode(str(description));
}

export async function parseEuYaml(file: string): Promise<ListParseResult> {
  const base = path.basename(file);
  const stats = new ParseStats();
  const entities: ListEntity[] = [];
  for (const { value: d, line } of await readYamlDocs(file)) {
    const ref = str(d.eu_reference_number);
    if (!ref) throw new InputError(`${base}:${line}: entry has no eu_reference_number (is this an EU FSF YAML file?)`);
    stats.records++;
    const subject = (d.subject_type ?? {}) as Record<string, unknown>;
    const isPerson = str(subject.code) === 'person';
    const id = slugId('eu-fsf', ref);
    const rec = `${base}:${line}#${ref}`;
    const e = new ListEntity(id, isPerson ? 'Person' : 'Organization', rec);
    stats.count(e.schema);
    entities.push(e);
    e.add('topics', 'sanction');
    const unId = str(d.united_nation_id);
    if (unId) {
      e.add('idNumber', unId);
      stats.count('unReferences');
    }
    let named = false;
    for (const a of arr(d.name_aliases)) {
      const whole = str(a.whole_name);
      if (!whole) continue;
      const strong = a.strong !== false;
      const lang = str(a.name_language);
      if (!named && strong && (!lang || lang === 'EN')) {
        e.add('name', whole);
        named = true;
      } else {
        e.add(strong ? 'alias' : 'weakAlias', whole);
      }
      if (lang && lang !== 'EN') stats.count(`names.${lang}`);
      if (isPerson) {
        e.add('firstName', str(a.first_name));
        e.add('middleName', str(a.middle_name));
        e.add('lastName', str(a.last_name));
        e.add('title', str(a.title));
        const g = str(a.gender);
        if (g === 'M') e.add('gender', 'male');
        else if (g === 'F') e.add('gender', 'female');
      }
      const fn = str(a.function);
      if (fn) e.add(isPerson ? 'position' : 'notes', fn);
    }
    if (!named) {
      const first = str(arr(d.name_aliases)[0]?.whole_name);
      if (!first) throw new InputError(`${rec}: entry has no name`);
      e.add('name', first);
    }
    for (const c of arr(d.citizenships))
      e.add(isPerson ? 'nationality' : 'country', isoCountry(c.country_iso2_code, c.country_description));
    for (const b of arr(d.birthdates)) {
      const date = str(b.birthdate) ?? str(b.year);
      if (date && isPerson) e.add('birthDate', date);
      const place = [str(b.city), str(b.place), str(b.region)].filter(Boolean).join(', ');
      if (place && isPerson) e.add('birthPlace', place);
      if (isPerson) e.add('birthCountry', isoCountry(b.country_iso2_code, b.country_description));
    }
    for (const a of arr(d.addresses)) {
      const full = [str(a.street), str(a.city), str(a.zip_code), str(a.region), str(a.country_description)]
        .filter(Boolean)
        .join(', ');
      e.add('address', full);
      e.add('country', isoCountry(a.country_iso2_code, a.country_description));
    }
    for (const i of arr(d.identifications)) {
      const number = str(i.number);
      const type = str(i.identification_type_code);
      if (!number) continue;
      if (type === 'passport') {
        e.add(isPerson ? 'passportNumber' : 'idNumber', number);
        const p = new ListEntity(makeId('eu-fsf-passport', ref, number), 'Passport', rec);
        p.add('holder', id);
        p.add('number', number);
        p.add('country', isoCountry(i.country_iso2_code));
        entities.push(p);
        stats.count('Passport');
      } else if (type === 'imo') {
        e.add(isPerson ? 'idNumber' : 'imoNumber', /^\d{7}$/.test(number) ? `IMO${number}` : number);
        stats.count('imoNumbers');
      } else if (type === 'swiftbic') {
        e.add(isPerson ? 'idNumber' : 'swiftBic', number);
      } else {
        e.add('idNumber', number);
      }
    }
    e.add('notes', str(d.remark));
    const regs = arr(d.regulations);
    const s = new ListEntity(slugId('eu-fsf-sanction', ref), 'Sanction', rec);
    s.add('entity', id);
    s.add('authority', AUTHORITY);
    s.add('authorityId', ref);
    s.add('unscId', unId);
    for (const r of regs) {
      s.add('program', str(r.programme));
      s.add('programId', str(r.programme));
      s.add('provisions', str(r.number_title));
    }
    const dates = regs
      .map((r) => str(r.publication_date))
      .filter((x): x is string => !!x)
      .sort();
    s.add('listingDate', dates[0]);
    s.add('sourceUrl', str(regs[0]?.publication_url));
    for (const r of regs) e.add('programId', str(r.programme));
    entities.push(s);
    stats.count('Sanction');
  }
  return { format: 'eu-yaml', entities, stats };
}
