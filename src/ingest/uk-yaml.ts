import path from 'node:path';
import { InputError } from '../errors.js';
import { slugId } from '../model/ids.js';
import { countryCode } from './countries.js';
import { ListEntity, type ListParseResult, ParseStats } from './list-entity.js';
import { arr, readYamlDocs, str } from './yaml-docs.js';

/**
 * UK OFSI consolidated list entries in ammitto's YAML rendering (OFSI ConList layout: names.names[] with
 * name1..name6, name6 being the surname or entity name; un_reference_number; addresses with address_line1..6)
 * → FtM Person / Organization / Vessel with a Sanction each. The UN reference number is stored as `idNumber`
 * (joins to the UN list); ship IMO numbers are only in the free text, so they are read from there.
 */

export const UK_SOURCE = 'gb_ofsi';
const AUTHORITY = 'Office of Financial Sanctions Implementation (UK)';

/** Forenames then surname (name6); entities and ships carry their name in name6 alone. */
function fullName(n: Record<string, unknown>): string | undefined {
  const parts = ['name1', 'name2', 'name3', 'name4', 'name5', 'name6'].map((k) => str(n[k])).filter(Boolean);
  return parts.length === 0 ? undefined : parts.join(' ');
}

export async function parseUkYaml(file: string): Promise<ListParseResult> {
  const base = path.basename(file);
  const stats = new ParseStats();
  const entities: ListEntity[] = [];
  for (const { value: d, line } of await readYamlDocs(file)) {
    const uid = str(d.unique_id);
    if (!uid) throw new InputError(`${base}:${line}: entry has no unique_id (is this a UK OFSI YAML file?)`);
    stats.records++;
    const kind = str(d.individual_entity_ship)?.toLowerCase();
    const schema = kind === 'individual' ? 'Person' : kind === 'ship' ? 'Vessel' : 'Organization';
    const isPerson = schema === 'Person';
    const id = slugId('gb-ofsi', uid);
    const rec = `${base}:${line}#${uid}`;
    const e = new ListEntity(id, schema, rec);
    stats.count(schema);
    entities.push(e);
    e.add('topics', 'sanction');
    const names = arr((d.names as Record<string, unknown> | undefined)?.names);
    for (const n of names) {
      const name = fullName(n);
      if (!name) continue;
      const type = (str(n.name_type) ?? '').toLowerCase();
      if (type === 'primary name' && !e.first('name')) {
        e.add('name', name);
        if (isPerson) {
          e.add('firstName', str(n.name1));
          e.add('secondName', str(n.name2));
          e.add('lastName', str(n.name6));
        }
      } else if (type === 'alias' && str(n.alias_strength) && !/good/i.test(str(n.alias_strength)!)) {
        e.add('weakAlias', name);
      } else {
        e.add('alias', name);
      }
    }
    if (!e.first('name')) {
      const first = names.map((n) => fullName(n)).find(Boolean);
      if (!first) throw new InputError(`${rec}: entry has no name`);
      e.add('name', first);
    }
    for (const n of arr((d.non_latin_names as Record<string, unknown> | undefined)?.names)) {
      e.add('alias', str(n.name_non_latin_script));
      stats.count('nonLatinNames');
    }
    const unRef = str(d.un_reference_number);
    if (unRef) {
      e.add('idNumber', unRef);
      stats.count('unReferences');
    }
    for (const a of arr((d.addresses as Record<string, unknown> | undefined)?.addresses)) {
      const country = str(a.address_country);
      const lines = [
        'address_line1',
        'address_line2',
        'address_line3',
        'address_line4',
        'address_line5',
        'address_line6',
      ]
        .map((k) => str(a[k]))
        .filter(Boolean);
      e.add('address', [...lines, country].filter(Boolean).join(', '));
      const code = countryCode(country);
      if (code) e.add('country', code);
    }
    const info = str(d.other_information);
    e.add('notes', info);
    if (!isPerson && info) {
      // Ships carry their IMO number and shipping companies their IMO company number ("IMO number: 5571322").
      for (const m of info.matchAll(/\bIMO(?:\s+number)?\s*:?\s*(\d{7})\b/gi)) {
        e.add('imoNumber', `IMO${m[1]}`);
        stats.count('imoNumbers');
      }
    }
    const s = new ListEntity(slugId('gb-ofsi-sanction', uid), 'Sanction', rec);
    s.add('entity', id);
    s.add('authority', AUTHORITY);
    s.add('authorityId', uid);
    s.add('unscId', unRef);
    s.add('program', str(d.regime_name));
    s.add('listingDate', str(d.date_designated));
    s.add('modifiedAt', str(d.last_updated));
    for (const p of (str(d.sanctions_imposed) ?? '').split('|')) s.add('provisions', p);
    s.add('reason', str(d.uk_statement_of_reasons));
    entities.push(s);
    stats.count('Sanction');
  }
  return { format: 'uk-yaml', entities, stats };
}
