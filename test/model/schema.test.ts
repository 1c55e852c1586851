import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CompiledModel,
  compileSchemata,
  extensionsAreCurrent,
  FTM_DIR,
  readSchemaYaml,
} from '../../src/model/ftm-compile.js';
import { buildModel, schemaModel } from '../../src/model/schema.js';

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
    expect(control.getProperty('controlType')?.examples).toContain('voting');
  });

  it('replaces 4.5.2 schemata with the 17 newer upstream files: biography, Occupancy terms, deprecations, examples', () => {
    // Person.yaml (856320c) and Occupancy.yaml (4becb90) have what 4.5.2 lacks.
    expect(model.get('Person').getProperty('biography')).toMatchObject({
      type: 'text',
      schema: 'Person',
      matchable: false,
      description: 'A biographical narrative of the person.',
    });
    const occupancy = model.get('Occupancy');
    for (const prop of ['electionDate', 'periodStart', 'periodEnd'])
      expect(occupancy.getProperty(prop)).toMatchObject({ type: 'date', matchable: true, schema: 'Occupancy' });
    for (const prop of ['constituency', 'politicalGroup'])
      expect(occupancy.getProperty(prop)).toMatchObject({ type: 'string', matchable: false });
    expect(occupancy.getProperty('status')?.examples).toEqual(['current', 'ended']);
    // Deprecations (values still accepted), inherited down: Trip is an Event.
    for (const prop of ['jurisdiction', 'registrationNumber', 'isinCode'])
      expect(model.get('Company').getProperty(prop)?.deprecated).toBe(true);
    expect(model.get('LegalEntity').getProperty('jurisdiction')?.deprecated).toBe(false);
    expect(model.get('Trip').getProperty('country')).toMatchObject({ schema: 'Event', deprecated: true });
    for (const prop of ['passportNumber', 'surname', 'givenName'])
      expect(model.get('Passport').getProperty(prop)?.deprecated).toBe(true);
    expect(model.get('Person').getProperty('passportNumber')?.deprecated).toBe(false);
    // Examples and descriptions from Thing.yaml reach every schema; wikipediaUrl is no longer matchable.
    expect(model.get('Person').getProperty('topics')?.examples).toEqual(['sanction', 'debarment', 'role.pep']);
    expect(model.get('Vessel').getProperty('name')?.description).toBe('The primary name of the entity');
    expect(model.get('Company').getProperty('wikipediaUrl')?.matchable).toBe(false);
    expect(model.get('Position').getProperty('subnationalArea')?.label).toBe('Subnational area');
    // Address.yaml no longer redeclares `country`: it is Thing's.
    expect(model.get('Address').getProperty('country')?.schema).toBe('Thing');
    // Replacing keeps the schema count and the hierarchy.
    expect(model.schemata.size).toBe(71);
    expect(model.get('Company').ancestry).toEqual([
      'Company',
      'Asset',
      'Thing',
      'Value',
      'Organization',
      'LegalEntity',
    ]);
  });

  it('keeps what only 4.5.2 has: the older Risk.yaml is not used, stubs from other schemata stay on replaced ones', () => {
    expect(model.get('CryptoWallet').getProperty('managingExchange')?.type).toBe('string');
    // Risk.yaml (2212179) captions `program`; 4.5.2 (and later upstream models) caption reason and status.
    expect(model.get('Risk').caption).toEqual(['reason', 'status']);
    // Stubs that unreplaced schemata (Risk, Ownership, Associate) put on the replaced Thing, LegalEntity, Person.
    expect(model.get('Vessel').getProperty('risks')).toMatchObject({ schema: 'Thing', range: 'Risk', stub: true });
    expect(model.get('Person').getProperty('ownershipOwner')).toMatchObject({ range: 'Ownership', stub: true });
    expect(model.get('Person').getProperty('associates')).toMatchObject({ range: 'Associate', stub: true });
    // And the ones the replaced Occupancy makes.
    expect(model.get('Person').getProperty('positionOccupancies')).toMatchObject({ range: 'Occupancy', stub: true });
    // Person declares its own temporal extent; LegalEntity's is not merged in.
    expect(model.get('Person').temporalExtent).toEqual({ start: ['birthDate'], end: ['deathDate'] });
  });

  it('compiles upstream YAML exactly as FtM 4.5.2 compiled it (Contract.yaml differs only by its examples)', () => {
    const dir = FTM_DIR();
    const base = JSON.parse(readFileSync(path.join(dir, 'defaultModel.json'), 'utf8')) as CompiledModel;
    const docs = readSchemaYaml(path.join(dir, 'extensions'));
    const out = compileSchemata({ Contract: docs.Contract! }, base);
    const contract = out.schemata.Contract!;
    expect(contract.properties.status?.examples).toEqual(['In force', 'Annulled']);
    delete contract.properties.status?.examples;
    const own = Object.fromEntries(Object.entries(base.schemata.Contract!.properties).filter(([, p]) => !p.stub));
    expect(contract).toEqual({ ...base.schemata.Contract, properties: own });
    // Stubs the compiler makes equal 4.5.2's (LegalEntity.parent → subsidiaries; Occupancy → Person, Position).
    const all = compileSchemata({ LegalEntity: docs.LegalEntity!, Occupancy: docs.Occupancy! }, base);
    expect(all.schemata.LegalEntity!.properties.subsidiaries).toEqual(
      base.schemata.LegalEntity!.properties.subsidiaries,
    );
    expect(all.reverse.Person).toBeUndefined();
    expect(all.reverse.Position).toBeUndefined();
    expect(all.replaces).toEqual(['LegalEntity', 'Occupancy']);
  });

  it('recomputes stubs when a replacing schema drops or adds an entity property', () => {
    const dir = FTM_DIR();
    const base = JSON.parse(readFileSync(path.join(dir, 'defaultModel.json'), 'utf8')) as CompiledModel;
    const occupancy = readSchemaYaml(path.join(dir, 'extensions')).Occupancy!;
    const { post: _post, ...kept } = occupancy.properties!;
    const changed = {
      ...occupancy,
      featured: ['holder'],
      required: ['holder'],
      edge: undefined,
      properties: {
        ...kept,
        venue: {
          label: 'Venue',
          type: 'entity',
          range: 'Address',
          reverse: { name: 'occupancyVenues', label: 'Held here' },
        },
      },
    };
    const m = buildModel(base, compileSchemata({ Occupancy: changed }, base));
    // Position.occupancies mirrored Occupancy.post, which the replacement no longer has.
    expect(base.schemata.Position!.properties.occupancies).toBeDefined();
    expect(m.get('Position').getProperty('occupancies')).toBeUndefined();
    expect(m.get('Address').getProperty('occupancyVenues')).toMatchObject({
      range: 'Occupancy',
      reverse: 'venue',
      stub: true,
      label: 'Held here',
    });
    expect(m.get('Person').getProperty('positionOccupancies')?.stub).toBe(true);
    expect(m.get('Occupancy').getProperty('venue')?.range).toBe('Address');
  });
});
