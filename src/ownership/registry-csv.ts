import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { countryCode } from '../ingest/countries.js';
import { parseCsv } from '../ingest/csv.js';
import { Entity, type FtmEntity } from '../model/entity.js';
import { makeId, sha256 } from '../model/ids.js';
import type { Statement } from '../model/statement.js';
import { imoKey } from '../registry/imo.js';
import { parsePercentage } from './link.js';
import { isOwnershipRole, parseRole, ROLES } from './roles.js';

/**
 * Registry extracts of the kind users export from commercial ship databases: one row per (vessel, role,
 * company, effective date). The header names the columns (any order, case-insensitive); the required ones are
 * `imo`, `role` and `company_name`. See docs/ownership.md for the layout.
 *
 * Each row becomes FtM entities: the Vessel (`imoNumber`, `name`, `flag`), the Company (`name`, `imoNumber` = the
 * 7-digit company number, `address`, `country`) and the link (an `Ownership` with `percentage` for equity roles,
 * an `UnknownLink` with `role` otherwise), dated by `effective_date`/`end_date`.
 */
export const REGISTRY_COLUMNS = [
  'imo',
  'vessel_name',
  'flag',
  'role',
  'company_name',
  'company_imo',
  'company_address',
  'company_country',
  'effective_date',
  'end_date',
  'share',
  'company_phone',
  'company_email',
  'company_incorporated',
] as const;
export type RegistryColumn = (typeof REGISTRY_COLUMNS)[number];
const REQUIRED = ['imo', 'role', 'company_name'] as const;

export interface RegistryParse {
  entities: FtmEntity[];
  rows: number;
  /** Entity id → the file:line of the first row that gave it. */
  records: Map<string, string>;
}

function isoDate(v: string, where: string): string | undefined {
  if (!v) return undefined;
  if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(v))
    throw new InputError(`${where}: date "${v}" is not YYYY, YYYY-MM or YYYY-MM-DD`);
  return v;
}

export function parseRegistryCsv(text: string, name: string): RegistryParse {
  const records = parseCsv(text, { name });
  if (records.length === 0) throw new InputError(`${name}: empty file`);
  const header = records[0]!.fields.map((h) => h.trim().toLowerCase());
  for (const c of REQUIRED) {
    if (!header.includes(c))
      throw new InputError(`${name}:1: missing column "${c}" (columns: ${REGISTRY_COLUMNS.join(', ')})`);
  }
  const col = (f: string[], c: string): string => {
    const i = header.indexOf(c);
    return i === -1 ? '' : (f[i] ?? '').trim();
  };
  const byId = new Map<string, Entity>();
  const firstRow = new Map<string, string>();
  let where = name;
  const entity = (id: string, schema: string): Entity => {
    let e = byId.get(id);
    if (!e) {
      byId.set(id, (e = new Entity(id, schema)));
      firstRow.set(id, where);
    }
    return e;
  };
  let rows = 0;
  for (const r of records.slice(1)) {
    if (r.fields.every((f) => f.trim() === '')) continue;
    where = `${name}:${r.line}`;
    const f = r.fields;
    const imo = imoKey(col(f, 'imo'));
    if (imo === undefined)
      throw new InputError(`${where}: imo "${col(f, 'imo')}" is not a valid IMO number (check digit)`);
    const role = parseRole(col(f, 'role'));
    if (!role)
      throw new InputError(
        `${where}: role "${col(f, 'role')}" unknown (one of: ${ROLES.map((x) => x.role).join(', ')})`,
      );
    const company = col(f, 'company_name');
    if (!company) throw new InputError(`${where}: company_name is empty`);
    const companyNo = col(f, 'company_imo');
    if (companyNo && !/^\d{7}$/.test(companyNo))
      throw new InputError(`${where}: company_imo "${companyNo}" is not a 7-digit IMO company number`);
    const start = isoDate(col(f, 'effective_date'), `${where}: effective_date`);
    const end = isoDate(col(f, 'end_date'), `${where}: end_date`);
    const shareText = col(f, 'share');
    const share = shareText ? parsePercentage(shareText) : undefined;
    if (shareText && share === undefined) throw new InputError(`${where}: share "${shareText}" is not a percentage`);
    rows++;
    const v = entity(`reg-vessel-${imo}`, 'Vessel');
    v.add('imoNumber', `IMO${imo}`);
    const vn = col(f, 'vessel_name');
    if (vn) v.add('name', vn);
    const flag = col(f, 'flag');
    if (flag) v.add('flag', countryCode(flag) ?? flag.toLowerCase());
    const cid = companyNo ? `reg-company-${companyNo}` : makeId('reg-company', company.toUpperCase());
    const c = entity(cid, 'Company');
    c.add('name', company);
    if (companyNo) c.add('imoNumber', companyNo);
    const addr = col(f, 'company_address');
    if (addr) c.add('address', addr);
    const country = col(f, 'company_country');
    if (country) c.add('country', countryCode(country) ?? country.toLowerCase());
    const phone = col(f, 'company_phone');
    if (phone) c.add('phone', phone);
    const email = col(f, 'company_email');
    if (email) c.add('email', email);
    const inc = isoDate(col(f, 'company_incorporated'), `${where}: company_incorporated`);
    if (inc) c.add('incorporationDate', inc);
    const l = isOwnershipRole(role)
      ? entity(makeId('reg-own', cid, imo, role, start), 'Ownership')
      : entity(makeId('reg-link', cid, imo, role, start), 'UnknownLink');
    if (l.schema === 'Ownership') {
      l.add('owner', cid);
      l.add('asset', v.id);
      if (share !== undefined) l.add('percentage', String(share));
    } else {
      l.add('subject', cid);
      l.add('object', v.id);
    }
    l.add('role', role);
    if (start) l.add('startDate', start);
    if (end) l.add('endDate', end);
    l.add('recordId', where);
  }
  return { entities: [...byId.values()].map((e) => e.toFtm()), rows, records: firstRow };
}

/** Statements of a registry extract, one per value, attributed to `source` and the file. */
export async function registryStatements(
  file: string,
  source: string,
  seenAt: string,
): Promise<{ statements: Statement[]; rows: number; entities: number; sha256: string }> {
  const text = await readFile(file, 'utf8');
  const base = path.basename(file);
  const parsed = parseRegistryCsv(text, base);
  const statements: Statement[] = [];
  for (const e of parsed.entities) {
    const rec = parsed.records.get(e.id) ?? base;
    statements.push(...Entity.statementsFromFtm(e, source, rec, seenAt));
  }
  return { statements, rows: parsed.rows, entities: parsed.entities.length, sha256: sha256(text) };
}
