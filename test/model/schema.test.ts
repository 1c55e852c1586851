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
});
