import path from 'node:path';
import { InputError } from '../errors.js';
import { makeId, slugId } from '../model/ids.js';
import { printable } from '../util/printable.js';
import { countryCode } from './countries.js';
import { ListEntity, type ListParseResult, ParseStats } from './list-entity.js';
import { child, childrenNamed, childText, readXmlRecords, type XmlNode } from './xml.js';

/**
 * UN Security Council Consolidated List XML (schema sc-sanctions.xsd) → FtM entities.
 *
 * INDIVIDUAL → Person, ENTITY → Organization, with name parts, aliases by quality ("Good"/"a.k.a." → alias,
 * "Low" → weakAlias, "f.k.a." → previousName), dates and places of birth, nationalities, documents (passports →
 * passportNumber plus a Passport entity; other documents → idNumber plus an Identification entity), addresses
 * (full text in `address`, country code in `country`), the UN reference number (`idNumber` on the entity,
 * `unscId` on the Sanction) and one Sanction per entry (authority, program, listingDate).
 */

export const UN_SOURCE = 'un_sc';
export const UN_URL = 'https://scsanctions.un.org/resources/xml/en/consolidated.xml';
const AUTHORITY = 'United Nations Security Council';
const RECORD_TAGS = new Set(['INDIVIDUAL', 'ENTITY']);

export async function parseUnXml(file: string): Promise<ListParseResult> {
  const base = path.basename(file);
  const stats = new ParseStats();
  const entities: ListEntity[] = [];
  let rootName = '';
  let publishedAt: string | undefined;
  for await (const { node, line } of readXmlRecords(file, {
    recordTags: RECORD_TAGS,
    onRoot: (name, attrs) => {
      rootName = name;
      if (name !== 'CONSOLIDATED_LIST') {
        throw new InputError(
          `${base}:1: root element is <${printable(name, 40)}>, expected <CONSOLIDATED_LIST> (UN SC list XML)`,
        );
      }
      const generated = attrs.dateGenerated;
      if (generated && !Number.isNaN(Date.parse(generated))) publishedAt = new Date(generated).toISOString();
    },
  })) {
    stats.records++;
    entities.push(...mapRecord(node, base, line, stats));
  }
  if (rootName === '') throw new InputError(`${base}:1: no root element`);
  return { format: 'un-xml', entities, stats, publishedAt };
}

function values(node: XmlNode, name: string): string[] {
  const c = child(node, name);
  if (!c) return [];
  return childrenNamed(c, 'VALUE')
    .map((v) => v.text.trim())
    .filter((v) => v !== '');
}

function isoDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /^(\d{4})(-\d{2})?(-\d{2})?/.exec(text.trim());
  return m ? m[0] : undefined;
}

function joinParts(...parts: Array<string | undefined>): string {
  return parts
    .map((p) => p?.replace(/\s+/g, ' ').trim())
    .filter((p): p is string => !!p)
    .join(', ');
}

function mapRecord(node: XmlNode, base: string, line: number, stats: ParseStats): ListEntity[] {
  const isPerson = node.name === 'INDIVIDUAL';
  const ref = childText(node, 'REFERENCE_NUMBER');
  const dataId = childText(node, 'DATAID');
  if (!ref && !dataId) {
    throw new InputError(`${base}:${line}: <${node.name}> has neither REFERENCE_NUMBER nor DATAID`);
  }
  if (!ref) stats.warn(`${base}:${line}: <${node.name}> DATAID ${dataId} has no REFERENCE_NUMBER`);
  const id = ref ? slugId('un', ref) : slugId('un-dataid', dataId!);
  const sourceRecord = `${base}:${line}#${ref ?? dataId}`;
  const e = new ListEntity(id, isPerson ? 'Person' : 'Organization', sourceRecord);
  const out: ListEntity[] = [e];
  stats.count(isPerson ? 'Person' : 'Organization');

  const parts = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME'].map((n) => childText(node, n));
  const fullName = parts.filter(Boolean).join(' ');
  if (!fullName) {
    stats.warn(`${sourceRecord}: entry has no name`);
  } else if (isPerson) {
    e.add('name', fullName);
    e.add('firstName', parts[0]);
    e.add('secondName', parts[1]);
    e.add('middleName', parts[2]);
    if (parts[3]) e.add('middleName', parts[3]);
  } else {
    e.add('name', fullName);
    // "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL) ; GREAT LAKES BUSINESS COMPANY (GLBC)": each part is a name too.
    if (fullName.includes(';')) for (const p of fullName.split(';')) e.add('alias', p);
  }
  for (const original of childrenNamed(node, 'NAME_ORIGINAL_SCRIPT')) {
    if (original.text.trim()) {
      e.add('alias', original.text);
      stats.count('originalScriptNames');
    }
  }
  if (ref) e.add('idNumber', ref);
  e.add('topics', 'sanction');
  const program = childText(node, 'UN_LIST_TYPE');
  e.add('program', program);
  for (const v of values(node, 'TITLE')) e.add('title', v);
  for (const v of values(node, 'DESIGNATION')) e.add(isPerson ? 'position' : 'notes', v);
  for (const v of [...values(node, 'NATIONALITY'), ...values(node, 'NATIONALITY2')])
    addCountry(e, 'nationality', v, stats);
  const gender = childText(node, 'GENDER')?.toLowerCase();
  if (gender === 'male' || gender === 'female') e.add('gender', gender);
  else if (gender) e.add('notes', `Gender: ${gender}`);
  e.add('notes', childText(node, 'COMMENTS1'));
  const updated = values(node, 'LAST_DAY_UPDATED').map(isoDate).filter(Boolean).sort();
  if (updated.length > 0) e.add('modifiedAt', updated[updated.length - 1]);

  for (const alias of childrenNamed(node, isPerson ? 'INDIVIDUAL_ALIAS' : 'ENTITY_ALIAS')) {
    const name = childText(alias, 'ALIAS_NAME')?.replace(/^["'“](.*)["'”]$/, '$1');
    if (!name) continue;
    const quality = (childText(alias, 'QUALITY') ?? '').toLowerCase();
    const prop = quality === 'low' ? 'weakAlias' : quality === 'f.k.a.' ? 'previousName' : 'alias';
    e.add(prop, name);
    stats.count(prop);
    if (isPerson) {
      e.add('birthDate', isoDate(childText(alias, 'DATE_OF_BIRTH')));
      const pob = joinParts(childText(alias, 'CITY_OF_BIRTH'), childText(alias, 'COUNTRY_OF_BIRTH'));
      if (pob) e.add('birthPlace', pob);
    }
  }

  for (const addr of childrenNamed(node, isPerson ? 'INDIVIDUAL_ADDRESS' : 'ENTITY_ADDRESS')) {
    const country = childText(addr, 'COUNTRY');
    const full = joinParts(
      childText(addr, 'STREET'),
      childText(addr, 'CITY'),
      childText(addr, 'STATE_PROVINCE'),
      childText(addr, 'ZIP_CODE'),
      country,
    );
    if (full) {
      e.add('address', full);
      stats.count('addresses');
    }
    if (country) addCountry(e, 'country', country, stats);
    const note = childText(addr, 'NOTE');
    if (note && full) e.add('notes', `Address ${full}: ${note}`);
  }

  if (isPerson) {
    for (const dob of childrenNamed(node, 'INDIVIDUAL_DATE_OF_BIRTH')) {
      const type = childText(dob, 'TYPE_OF_DATE');
      const exact = isoDate(childText(dob, 'DATE')) ?? childText(dob, 'YEAR');
      if (exact) e.add('birthDate', exact);
      const from = Number(childText(dob, 'FROM_YEAR'));
      const to = Number(childText(dob, 'TO_YEAR'));
      if (type === 'BETWEEN' && from > 0 && to >= from && to - from <= 20) {
        for (let y = from; y <= to; y++) e.add('birthDate', String(y));
      }
      if (exact || from) stats.count('birthDates');
      const note = childText(dob, 'NOTE');
      if (note) e.add('notes', `Date of birth: ${note}`);
    }
    for (const pob of childrenNamed(node, 'INDIVIDUAL_PLACE_OF_BIRTH')) {
      const country = childText(pob, 'COUNTRY');
      const place = joinParts(childText(pob, 'CITY'), childText(pob, 'STATE_PROVINCE'), country);
      if (place) e.add('birthPlace', place);
      const code = countryCode(country);
      if (code) e.add('birthCountry', code);
      const note = childText(pob, 'NOTE');
      if (note) e.add('notes', `Place of birth: ${note}`);
    }
    for (const doc of childrenNamed(node, 'INDIVIDUAL_DOCUMENT')) {
      const docEntity = mapDocument(doc, e, ref ?? dataId!, sourceRecord, stats);
      if (docEntity) out.push(docEntity);
    }
  }

  const sanction = new ListEntity(slugId('un-sanction', ref ?? dataId!), 'Sanction', sourceRecord);
  sanction.add('entity', id);
  sanction.add('authority', AUTHORITY);
  sanction.add('program', program);
  if (ref) {
    sanction.add('unscId', ref);
    sanction.add('authorityId', ref);
  }
  sanction.add('listingDate', isoDate(childText(node, 'LISTED_ON')));
  sanction.add('endDate', isoDate(childText(node, 'DELISTED_ON')));
  const submittedBy = childText(node, 'SUBMITTED_BY') ?? values(node, 'SUBMITTED_BY').join('; ');
  if (submittedBy) sanction.add('summary', `Submitted by ${submittedBy}`);
  sanction.add('sourceUrl', UN_URL);
  for (const v of values(node, 'LIST_TYPE')) sanction.add('provisions', v);
  out.push(sanction);
  stats.count('Sanction');
  return out;
}

function addCountry(e: ListEntity, prop: string, name: string, stats: ParseStats): void {
  const code = countryCode(name);
  if (code) e.add(prop, code);
  else {
    e.add('notes', `${prop}: ${name}`);
    stats.count('unresolvedCountries');
  }
}

const PASSPORT_TYPES = /passport|pasaporte|passeport/i;

function mapDocument(
  doc: XmlNode,
  holder: ListEntity,
  key: string,
  sourceRecord: string,
  stats: ParseStats,
): ListEntity | undefined {
  const number = childText(doc, 'NUMBER');
  const type = joinParts(childText(doc, 'TYPE_OF_DOCUMENT'), childText(doc, 'TYPE_OF_DOCUMENT2'));
  const note = childText(doc, 'NOTE');
  if (!number) {
    if (type || note) holder.add('notes', `Document: ${joinParts(type, note)}`);
    return undefined;
  }
  const isPassport = PASSPORT_TYPES.test(type);
  holder.add(isPassport ? 'passportNumber' : 'idNumber', number);
  stats.count(isPassport ? 'passports' : 'idDocuments');
  const d = new ListEntity(
    makeId('un-doc', key, type, number),
    isPassport ? 'Passport' : 'Identification',
    sourceRecord,
  );
  d.add('holder', holder.id);
  d.add('number', number);
  d.add('type', type);
  const country = childText(doc, 'ISSUING_COUNTRY') ?? childText(doc, 'COUNTRY_OF_ISSUE');
  const code = countryCode(country);
  if (code) d.add('country', code);
  else if (country) d.add('summary', `Issued in ${country}`);
  d.add('startDate', isoDate(childText(doc, 'DATE_OF_ISSUE')));
  d.add('authority', childText(doc, 'CITY_OF_ISSUE'));
  d.add('description', note);
  stats.count(d.schema);
  return d;
}
