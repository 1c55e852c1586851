import { describe, expect, it } from 'vitest';
import { extensionsAreCurrent } from '../../src/model/ftm-compile.js';
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

  it('reads the FtM 4.5.2 compiled model: abbreviation, deprecations, descriptions, temporal extents, new schemata', () => {
    // `abbreviation` is declared on LegalEntity in FtM v4 and inherited by Organization, Company and Person.
    for (const name of ['Company', 'Organization', 'PublicBody', 'Person']) {
      expect(model.get(name).getProperty('abbreviation')).toMatchObject({
        type: 'name',
        schema: 'LegalEntity',
        matchable: false,
      });
    }
    expect(model.get('Company').caption).toContain('abbreviation');
    expect(model.get('LegalEntity').getProperty('parent')).toMatchObject({ deprecated: true, reverse: 'subsidiaries' });
    expect(model.get('Person').getProperty('secondName')?.deprecated).toBe(true);
    expect(model.get('Person').getProperty('profession')).toMatchObject({ type: 'string', matchable: false });
    expect(model.get('Person').getProperty('position')?.matchable).toBe(false);
    expect(model.get('Vessel').getProperty('imoNumber')?.maxLength).toBe(16);
    expect(model.get('Vessel').getProperty('deadweightTonnage')?.type).toBe('number');
    expect(model.get('Risk').description).toBe('A risk associated with an entity');
    expect(model.get('Interval').description).toBe('An object which is bounded in time.');
    expect(model.get('Person').temporalExtent).toEqual({ start: ['birthDate'], end: ['deathDate'] });
    // Company declares none and inherits LegalEntity's.
    expect(model.get('Company').temporalExtent).toEqual({ start: ['incorporationDate'], end: ['dissolutionDate'] });
    expect(model.get('Occupancy').edge).toMatchObject({ source: 'holder', target: 'post', directed: true });
    expect(model.get('Risk').getProperty('entity')).toMatchObject({ type: 'entity', range: 'Thing', reverse: 'risks' });
    expect(model.get('Address').generated).toBe(false);
    expect(model.get('Vessel').plural).toBe('Vessels');
  });

  it('has what FtM 4.5.2 changed from the 2025-05 files', () => {
    // 69 schemata from 4.5.2 plus Control and Territory; Assessment and Post were removed upstream in v4.
    expect(model.schemata.size).toBe(71);
    expect(model.has('Assessment')).toBe(false);
    expect(model.has('Post')).toBe(false);
    // Documentation was a .yml file the YAML loader never read.
    expect(model.get('Documentation').edge).toMatchObject({ source: 'document', target: 'entity', label: 'documents' });
    // CryptoWallet: a new account id, and the 2025-05 typo `mangingExchange` fixed.
    expect(model.get('CryptoWallet').getProperty('accountId')).toMatchObject({
      type: 'identifier',
      matchable: true,
      description: 'Platform-specific user/account identifier',
    });
    expect(model.get('CryptoWallet').getProperty('managingExchange')?.type).toBe('string');
    expect(model.get('CryptoWallet').getProperty('mangingExchange')).toBeUndefined();
    expect(model.get('Image').getProperty('credit')?.description).toBe('The credit or attribution for the image.');
    expect(model.get('UserAccount').getProperty('phone')?.type).toBe('phone');
    expect(model.get('UserAccount').getProperty('number')).toBeUndefined();
    // The `iban` type is gone: IBANs are identifiers with the iban format.
    expect(model.get('BankAccount').getProperty('iban')).toMatchObject({ type: 'identifier', format: 'iban' });
    expect(model.get('License').getProperty('area')?.type).toBe('number');
    expect(model.get('Position').getProperty('subnationalArea')?.label).toBe('Subnational jurisdiction name or code');
    expect(model.get('Organization').caption).toEqual([
      'name',
      'alias',
      'abbreviation',
      'weakAlias',
      'previousName',
      'registrationNumber',
    ]);
    expect(model.get('Risk').caption).toEqual(['reason', 'status']);
    expect(model.get('Message').temporalExtent).toEqual({
      start: ['date', 'authoredAt', 'publishedAt'],
      end: ['endDate'],
    });
    // String properties are not matchable (the YAML loader guessed they were); URLs are.
    expect(model.get('Ownership').getProperty('percentage')?.matchable).toBe(false);
    expect(model.get('LegalEntity').getProperty('website')?.matchable).toBe(true);
    // Reverse properties are stubs on the range schema, inherited down (Company is an Asset).
    expect(model.get('Company').getProperty('ownershipAsset')).toMatchObject({
      schema: 'Asset',
      range: 'Ownership',
      reverse: 'asset',
      stub: true,
      label: 'Owners',
    });
    expect(model.get('Vessel').getProperty('name')?.stub).toBe(false);
    // Property types with their flags.
    expect(model.types.get('name')).toMatchObject({ matchable: true, pivot: true, maxLength: 384, group: 'names' });
    expect(model.types.get('gender')).toMatchObject({ matchable: false, pivot: false });
    expect(model.types.size).toBe(20);
  });

  it('merges Control and Territory (opensanctions/followthemoney after 4.5.2) from extensions.json', () => {
    expect(extensionsAreCurrent()).toBe(true);
    const control = model.get('Control');
    expect(control.ancestry).toEqual(['Control', 'Interest', 'Interval']);
    expect(control.edge).toMatchObject({ source: 'controller', target: 'controlled', label: 'controls' });
    expect(control.getProperty('controller')).toMatchObject({ range: 'LegalEntity', reverse: 'controlController' });
    // Inherited from Interest and Interval.
    expect(control.getProperty('role')?.schema).toBe('Interest');
    expect(control.temporalExtent).toEqual({ start: ['startDate', 'date'], end: ['endDate'] });
    // Their reverse stubs reach LegalEntity and its descendants.
    expect(model.get('Person').getProperty('controlController')).toMatchObject({
      schema: 'LegalEntity',
      range: 'Control',
      stub: true,
      label: 'Controlled entities',
    });
    const territory = model.get('Territory');
    expect(territory.getProperty('partOf')?.range).toBe('Territory');
    expect(territory.getProperty('subdivisions')).toMatchObject({ stub: true, reverse: 'partOf' });
    expect(territory.getProperty('territoryCode')).toMatchObject({ type: 'identifier', maxLength: 16 });
    expect(territory.getProperty('level')?.matchable).toBe(false);
  });
});
