import { describe, expect, it } from 'vitest';
import { schemaModel } from '../../src/model/schema.js';

describe('FtM schema model', () => {
  const model = schemaModel();

  it('loads the real FtM schemata with their inheritance', () => {
    expect(model.schemata.size).toBeGreaterThanOrEqual(60);
    const vessel = model.get('Vessel');
    expect(vessel.isA('Vehicle')).toBe(true);
    expect(vessel.isA('Asset')).toBe(true);
    expect(vessel.isA('Thing')).toBe(true);
    expect(vessel.isA('Person')).toBe(false);
    expect(model.get('Company').isA('Organization')).toBe(true);
    expect(model.get('Company').isA('LegalEntity')).toBe(true);
    expect(model.get('Thing').abstract).toBe(true);
  });

  it('resolves inherited and own properties with their types', () => {
    const vessel = model.get('Vessel');
    expect(vessel.getProperty('imoNumber')).toMatchObject({ type: 'identifier', schema: 'Vessel', format: 'imo' });
    expect(vessel.getProperty('mmsi')?.type).toBe('identifier');
    expect(vessel.getProperty('flag')?.type).toBe('country');
    expect(vessel.getProperty('name')).toMatchObject({ type: 'name', schema: 'Thing' });
    expect(model.get('Person').getProperty('birthDate')?.type).toBe('date');
    expect(model.get('CryptoWallet').getProperty('publicKey')).toBeDefined();
    const ownership = model.get('Ownership');
    expect(ownership.getProperty('owner')).toMatchObject({ type: 'entity', range: 'LegalEntity' });
    expect(ownership.edge).toMatchObject({ source: 'owner', target: 'asset' });
  });

  it('merges schemata to the most specific common descendant', () => {
    expect(model.common('LegalEntity', 'Company')).toBe('Company');
    expect(model.common('Company', 'Organization')).toBe('Company');
    expect(() => model.common('Person', 'Vessel')).toThrow(/cannot be merged/);
  });

  it('reads the FtM v4 files: abbreviation, deprecations, descriptions, temporal extents, new schemata', () => {
    // `abbreviation` is declared on LegalEntity in FtM v4 and inherited by Organization, Company and Person.
    for (const name of ['Company', 'Organization', 'PublicBody', 'Person']) {
      expect(model.get(name).getProperty('abbreviation')).toMatchObject({
        type: 'name',
        schema: 'LegalEntity',
        matchable: false,
      });
    }
    expect(model.get('Company').caption).toContain('abbreviation');
    expect(model.get('Company').getProperty('jurisdiction')).toMatchObject({ type: 'country', deprecated: true });
    expect(model.get('LegalEntity').getProperty('jurisdiction')?.deprecated).toBe(false);
    expect(model.get('Passport').getProperty('passportNumber')?.deprecated).toBe(true);
    expect(model.get('Person').getProperty('biography')).toMatchObject({ type: 'text', matchable: false });
    // Upstream Person.yaml says `matchable: fals` on `position`: read as false, not as a truthy string.
    expect(model.get('Person').getProperty('position')?.matchable).toBe(false);
    expect(model.get('Thing').getProperty('topics')).toMatchObject({
      type: 'topic',
      examples: ['sanction', 'debarment', 'role.pep'],
    });
    expect(model.get('Vessel').getProperty('imoNumber')?.maxLength).toBe(16);
    expect(model.get('Vessel').getProperty('deadweightTonnage')?.type).toBe('number');
    expect(model.get('Thing').getProperty('summary')?.description).toMatch(/one-liner/);
    expect(model.get('Person').temporalExtent).toEqual({ start: ['birthDate'], end: ['deathDate'] });
    // Company declares none and inherits LegalEntity's.
    expect(model.get('Company').temporalExtent).toEqual({ start: ['incorporationDate'], end: ['dissolutionDate'] });
    expect(model.get('Occupancy').edge).toMatchObject({ source: 'holder', target: 'post', directed: true });
    expect(model.get('Control').isA('Interest')).toBe(true);
    expect(model.get('Risk').getProperty('entity')).toMatchObject({ type: 'entity', range: 'Thing' });
    expect(model.get('Territory').getProperty('partOf')?.range).toBe('Territory');
    expect(model.get('Address').generated).toBe(false);
  });
});
