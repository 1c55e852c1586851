import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CompiledModel, loadSchemaModel, schemaModel } from '../../src/model/schema.js';
import { dataPath } from '../../src/paths.js';

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

  it('is the compiled FtM 4.10.2 model, unchanged (sha256 in data/sanctions/PROVENANCE.md)', () => {
    const file = dataPath('sanctions', 'schema', 'ftm', 'defaultModel.json');
    const text = readFileSync(file, 'utf8');
    expect(text.length).toBe(242_109);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(
      '1530c62b651dd157c1777b0dbf31e1843d8bc6c2e2facd555a2bfbfe0ad95748',
    );
    const compiled = JSON.parse(text) as CompiledModel;
    // Upstream writes it as json.dumps(indent=2, sort_keys=True): the file is exactly that serialisation.
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortKeys)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
            )
          : v;
    expect(JSON.stringify(sortKeys(compiled), null, 2)).toBe(text);
    expect(compiled.version).toBe('4.10.2');
    expect(model.version).toBe('4.10.2');
    expect(Object.keys(compiled.schemata)).toHaveLength(71);
    const props = Object.values(compiled.schemata).flatMap((sc) => Object.values(sc.properties));
    expect(props).toHaveLength(625);
    expect(props.filter((p) => p.stub)).toHaveLength(93);
    expect(model.schemata.size).toBe(71);
    expect(model.types.size).toBe(20);
    // Loading from the directory gives the same model as the shared one.
    expect(loadSchemaModel().get('Person').properties.size).toBe(model.get('Person').properties.size);
  });

  it('reads the compiled model: abbreviation, deprecations, descriptions, temporal extents, types', () => {
    // `abbreviation` is declared on LegalEntity in FtM v4 and inherited by Organization, Company and Person.
    for (const name of ['Company', 'Organization', 'PublicBody', 'Person']) {
      expect(model.get(name).getProperty('abbreviation')).toMatchObject({
        type: 'name',
        schema: 'LegalEntity',
        matchable: false,
      });
    }
    expect(model.get('Company').caption).toContain('abbreviation');
    expect(model.get('LegalEntity').getProperty('parent')).toMatchObject({
      deprecated: true,
      reverse: 'subsidiaries',
      description: 'Deprecated, use `Ownership` link instead',
    });
    expect(model.get('Person').getProperty('secondName')?.deprecated).toBe(true);
    expect(model.get('Person').getProperty('profession')).toMatchObject({ type: 'string', matchable: false });
    expect(model.get('Vessel').getProperty('imoNumber')?.maxLength).toBe(16);
    expect(model.get('Vessel').getProperty('deadweightTonnage')).toMatchObject({
      type: 'number',
      description: 'Weight of the vessel when not carrying freight',
    });
    expect(model.get('Interval').description).toBe('An object which is bounded in time.');
    expect(model.get('Person').temporalExtent).toEqual({ start: ['birthDate'], end: ['deathDate'] });
    expect(model.get('Company').temporalExtent).toEqual({ start: ['incorporationDate'], end: ['dissolutionDate'] });
    expect(model.get('Occupancy').edge).toMatchObject({ source: 'holder', target: 'post', directed: true });
    expect(model.get('Address').generated).toBe(false);
    expect(model.get('Vessel').plural).toBe('Vessels');
    expect(model.has('Assessment')).toBe(false);
    expect(model.has('Post')).toBe(false);
    expect(model.get('Documentation').edge).toMatchObject({ source: 'document', target: 'entity', label: 'documents' });
    expect(model.get('BankAccount').getProperty('iban')).toMatchObject({ type: 'identifier', format: 'iban' });
    expect(model.get('Ownership').getProperty('percentage')?.matchable).toBe(false);
    expect(model.get('LegalEntity').getProperty('website')?.matchable).toBe(true);
    expect(model.get('Vessel').getProperty('name')).toMatchObject({
      stub: false,
      description: 'The primary name of the entity',
    });
    expect(model.get('Person').getProperty('topics')?.examples).toEqual(['sanction', 'debarment', 'role.pep']);
    expect(model.types.get('name')).toMatchObject({ matchable: true, pivot: true, maxLength: 384, group: 'names' });
    expect(model.types.get('gender')).toMatchObject({ matchable: false, pivot: false });
  });

  it('has what FtM 4.10.2 added after 4.5.2: riskSource, Risk programmes, Control, Territory, crypto and PEP fields', () => {
    // Thing.riskSource: the designated entity a risk derives from; an entity link without a reverse stub.
    const riskSource = model.get('Vessel').getProperty('riskSource');
    expect(riskSource).toMatchObject({
      type: 'entity',
      range: 'Thing',
      schema: 'Thing',
      matchable: false,
      stub: false,
    });
    expect(riskSource?.reverse).toBeUndefined();
    // Risk now names its authority and programme like Sanction does.
    const risk = model.get('Risk');
    expect(risk.getProperty('authority')?.type).toBe('string');
    expect(risk.getProperty('program')?.type).toBe('string');
    expect(risk.getProperty('programId')).toMatchObject({ type: 'identifier', matchable: true });
    expect(risk.getProperty('programUrl')?.type).toBe('url');
    expect(risk.caption).toEqual(['reason', 'status']);
    expect(risk.featured).toEqual(['entity', 'country', 'authority', 'program', 'startDate']);
    expect(risk.getProperty('entity')).toMatchObject({ type: 'entity', range: 'Thing', reverse: 'risks' });
    // Control, with its reverse properties named controlledEntities / controllingEntities on LegalEntity.
    const control = model.get('Control');
    expect(control.ancestry).toEqual(['Control', 'Interest', 'Interval']);
    expect(control.edge).toMatchObject({ source: 'controller', target: 'controlled', label: 'controls' });
    expect(control.getProperty('controller')).toMatchObject({ range: 'LegalEntity', reverse: 'controlledEntities' });
    expect(control.getProperty('controlled')).toMatchObject({ range: 'LegalEntity', reverse: 'controllingEntities' });
    expect(control.getProperty('controlType')?.examples).toContain('voting');
    expect(model.get('Person').getProperty('controlledEntities')).toMatchObject({
      schema: 'LegalEntity',
      range: 'Control',
      stub: true,
      label: 'Controlled entities',
    });
    expect(model.get('Company').getProperty('controllingEntities')?.label).toBe('Controlling entities');
    expect(model.get('Person').getProperty('controlController')).toBeUndefined();
    const territory = model.get('Territory');
    expect(territory.getProperty('partOf')?.range).toBe('Territory');
    expect(territory.getProperty('subdivisions')).toMatchObject({ stub: true, reverse: 'partOf' });
    expect(territory.getProperty('territoryCode')).toMatchObject({ type: 'identifier', maxLength: 16 });
    // CryptoWallet: blockchain, a separate crypto address and custody type; keys up to 512 characters.
    const wallet = model.get('CryptoWallet');
    expect(wallet.getProperty('cryptoAddress')).toMatchObject({ type: 'identifier', matchable: true, maxLength: 512 });
    expect(wallet.getProperty('blockchain')?.type).toBe('string');
    expect(wallet.getProperty('custodyType')?.type).toBe('string');
    expect(wallet.getProperty('publicKey')?.maxLength).toBe(512);
    expect(wallet.getProperty('managingExchange')?.type).toBe('string');
    // Person.biography and the Occupancy term fields, which the temporal extent now uses.
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
    expect(occupancy.temporalExtent).toEqual({
      start: ['startDate', 'periodStart', 'electionDate', 'declarationDate', 'date'],
      end: ['endDate', 'periodEnd'],
    });
    expect(model.get('Position').getProperty('subnationalArea')?.label).toBe('Subnational area');
    expect(model.get('Vehicle').matchable).toBe(true);
    expect(model.get('Ownership').featured).toContain('role');
    expect(model.get('Contract').getProperty('type')?.examples).toEqual(['W (Works)', 'U (Supplies)', 'S (Services)']);
  });

  it('has what FtM 4.10.2 moved, removed or deprecated since 4.5.2', () => {
    // Company no longer redeclares jurisdiction, registrationNumber and okvedCode: they are LegalEntity's (not
    // deprecated), so Company still has them.
    for (const prop of ['jurisdiction', 'registrationNumber', 'okvedCode'])
      expect(model.get('Company').getProperty(prop)).toMatchObject({ schema: 'LegalEntity', deprecated: false });
    expect(model.get('Company').getProperty('isinCode')?.deprecated).toBe(true);
    expect(model.get('Company').getProperty('capital')?.type).toBe('number');
    // Event and Address no longer redeclare `country`: it is Thing's (Trip is an Event).
    expect(model.get('Trip').getProperty('country')).toMatchObject({ schema: 'Thing', deprecated: false });
    expect(model.get('Address').getProperty('country')?.schema).toBe('Thing');
    for (const prop of ['passportNumber', 'surname', 'givenName'])
      expect(model.get('Passport').getProperty(prop)?.deprecated).toBe(true);
    expect(model.get('Passport').getProperty('passportNumber')?.hidden).toBe(true);
    expect(model.get('Person').getProperty('passportNumber')?.deprecated).toBe(false);
    expect(model.get('Company').getProperty('wikipediaUrl')?.matchable).toBe(false);
    expect(model.get('Company').getProperty('ownershipAsset')).toMatchObject({
      schema: 'Asset',
      range: 'Ownership',
      reverse: 'asset',
      stub: true,
      label: 'Ownership and Control',
    });
    expect(model.get('Person').getProperty('email')?.label).toBe('Email');
    expect(model.get('Company').ancestry).toEqual([
      'Company',
      'Asset',
      'Thing',
      'Value',
      'Organization',
      'LegalEntity',
    ]);
  });
});
