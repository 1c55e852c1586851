import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { importList } from '../../src/lists/import.js';
import { detectStore } from '../../src/maritime/detect.js';
import { vesselRiskFromStore } from '../../src/maritime/risk/store.js';
import { evaluate } from '../../src/maritime/simulate/eval.js';
import { nmeaLines, registryCsv, type SimOutput, simulate } from '../../src/maritime/simulate/generate.js';
import type { SimVessel } from '../../src/maritime/simulate/scenario.js';
import { OWNERSHIP_KINDS, ownershipForRun } from '../../src/ownership/findings.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { dataPath } from '../../src/paths.js';
import { screeningService } from '../../src/screening/service.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { screenStore } from '../../src/trade/screen.js';
import { importShipments } from '../../src/trade/shipments.js';

// The simulator's sale-and-reflag scenario end to end, through the real import path: the simulated NMEA through
// the AIS importer, the simulated registry extract through `ownership import`, the real UN list, then `detect`.

let dir: string;
let store: Store;
let sim: SimOutput;
let found: Finding[];
const vessel = (key: string): SimVessel => sim.scenario.vessels.find((v) => v.key === key)!;
const mmsisOf = (v: SimVessel): number[] => [...new Set(v.identities.map((i) => i.mmsi))];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-sale-'));
  store = await openStore({ url: path.join(dir, 'sim.duckdb') });
  await importList(store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'), {
    format: 'un-xml',
    fetchedAt: '2026-02-27T00:00:00.000Z',
  });
  sim = simulate('sale-reflag', 5);
  writeFileSync(path.join(dir, 'ais.nmea'), `${[...nmeaLines(sim)].join('\n')}\n`);
  writeFileSync(path.join(dir, 'registry.csv'), registryCsv(sim.scenario));
  await importNmeaFile(store, path.join(dir, 'ais.nmea'));
  await importOwnershipFile(store, path.join(dir, 'registry.csv'));
  found = (await detectStore(store, {})).findings.filter((f) =>
    (OWNERSHIP_KINDS as readonly string[]).includes(f.kind),
  );
}, 240_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('simulated sale and re-flag (scenario sale-reflag)', () => {
  it('the scenario ships the sale in its AIS identities and its registry extract', () => {
    const sold = vessel('inj-sale-reflag');
    expect(sold.identities.map((i) => [String(i.mmsi).slice(0, 3), i.name, i.callsign])).toEqual([
      ['667', 'PACIFIC BRIDGE', '9LPB7'],
      ['445', 'SONG HWA 8', 'HMSH8'],
    ]);
    expect(new Set(sold.identities.map((i) => i.imo)).size).toBe(1);
    const csv = registryCsv(sim.scenario).split('\n');
    expect(csv[0]).toBe(
      'imo,vessel_name,flag,role,company_name,company_imo,company_address,company_country,effective_date,end_date,share,company_incorporated',
    );
    const imo = sold.identities[0]!.imo!;
    expect(csv.filter((l) => l.startsWith(`${imo},`))).toEqual([
      `${imo},PACIFIC BRIDGE,SL,registered owner,BRIGHT HARBOUR SHIPPING SA,9910003,"Akti Kondyli 12, Piraeus",GR,2016-07-01,2024-03-01,100,2008-09-30`,
      `${imo},PACIFIC BRIDGE,SL,ship manager,BRIGHT HARBOUR SHIPPING SA,9910003,"Akti Kondyli 12, Piraeus",GR,2016-07-01,2024-03-01,,2008-09-30`,
      `${imo},PACIFIC BRIDGE,SL,registered owner,GOLDEN WAVE TRADING LTD,9910004,"Room 2105, DL1849, Trend Centre, 29-31 Cheung Lee Street, Chai Wan, Hong Kong, China",HK,2024-03-02,,100,2024-01-19`,
      `${imo},PACIFIC BRIDGE,SL,ship manager,CHANG AN SHIPPING & TECHNOLOGY,,"Room 2105, DL1849, Trend Centre, 29-31 Cheung Lee Street, Chai Wan, Hong Kong, China",HK,2024-03-02,,,`,
    ]);
  });

  it('detect finds the acquisition, the listed manager and the front company, each as injected', () => {
    const truth = sim.scenario.truth.filter((t) => (OWNERSHIP_KINDS as readonly string[]).includes(t.kind));
    expect(truth.map((t) => t.kind).sort()).toEqual([
      'network.front_company',
      'vessel.acquisition',
      'vessel.ownership_exposure',
      'vessel.ownership_exposure',
    ]);
    const scores = evaluate(found, truth);
    expect(scores.map((s) => [s.kind, s.truth, s.findings, s.truePositives, s.recalled])).toEqual([
      ['network.front_company', 1, 1, 1, 1],
      ['vessel.acquisition', 1, 1, 1, 1],
      ['vessel.ownership_exposure', 2, 2, 2, 2],
    ]);
    const sold = vessel('inj-sale-reflag');
    const acq = found.find((f) => f.kind === 'vessel.acquisition')!;
    expect(acq.start).toBe('2024-03-02T00:00:00.000Z');
    expect(acq.subjects).toEqual(expect.arrayContaining(mmsisOf(sold).map((m) => `ais-${m}`)));
    expect(acq.subjects).toContain('reg-company-9910004');
    expect(acq.vessels!.map((v) => v.mmsi).sort()).toEqual(mmsisOf(sold).sort());
    // The timeline: the sale, then dark, MID 445, the DPRK flag against the registry's SL, the new name, Nampo.
    expect((acq.details!.timeline as Array<{ what: string }>).map((t) => t.what.split(' ')[0])).toEqual([
      'registered',
      'no',
      'reappeared',
      'claims',
      'AIS',
      'renamed',
      'called',
    ]);
    expect(acq.explanation).toContain('passed to GOLDEN WAVE TRADING LTD (front-company score 0.75) on 2024-03-02');
    expect(acq.explanation).toContain('AIS flag KP is not a flag the registry gives it (SL)');
    expect(acq.explanation).toContain('called at NAMPO');
    const front = found.find((f) => f.kind === 'network.front_company')!;
    expect((front.details!.indicators as Array<{ name: string }>).map((i) => i.name)).toEqual([
      'shares_address_with_listed',
      'one_ship_company',
      'registered_shortly_before_acquiring',
      'panel_jurisdiction',
    ]);
    expect(front.explanation).toContain('shares an address with listed CHANG AN SHIPPING & TECHNOLOGY');
    const exp = found.filter((f) => f.kind === 'vessel.ownership_exposure').map((f) => f.explanation);
    expect(exp).toEqual(
      expect.arrayContaining([
        `PACIFIC BRIDGE (IMO ${sold.identities[0]!.imo}) is managed by listed CHANG AN SHIPPING & TECHNOLOGY (un-kpe-055), since 2024-03-02.`,
        'YU JONG 2 (IMO 8604917) is owned by listed KOREA YUJONG SHIPPING CO LTD (un-kpe-066), since 2017-01-01.',
      ]),
    );
  });

  it('finds nothing on the controls: the ordinary owner, and the ship sold to an ordinary company as it re-flags', () => {
    for (const key of ['control-bulk', 'inj-flag-hopper']) {
      const v = vessel(key);
      const ids = new Set([...mmsisOf(v).map((m) => `ais-${m}`), `reg-vessel-${v.identities[0]!.imo}`]);
      expect(
        found.filter((f) => f.subjects.some((s) => ids.has(s))).map((f) => f.kind),
        key,
      ).toEqual([]);
    }
    // Every other simulated hull: no acquisition.
    expect(found.filter((f) => f.kind === 'vessel.acquisition')).toHaveLength(1);
  });

  it('a hull or company known only from the registry extract is no listed entry (sanctions match, trade party)', async () => {
    // The UN list names no vessel: before, every simulated hull the extract names (the controls too) was an
    // `ais.sanctions_match` "matches the listed vessel ... (reg-vessel-<IMO>)" with score 1, the ordinary former
    // owner BRIGHT HARBOUR SHIPPING SA a `trade.listed_party`.
    const matches = await store.queryFindings({ kinds: ['ais.sanctions_match'], limit: 1000 });
    expect(matches.map((f) => f.explanation)).toEqual([]);
    expect(await screeningService(store).screenVessel({ imo: vessel('control-bulk').identities[0]!.imo! })).toEqual([]);
    const csv = path.join(dir, 'shipments.csv');
    writeFileSync(
      csv,
      'reference,shipper,shipper_country,consignee,consignee_address,consignee_country,hs_code,description,origin,destination,departure_date\n' +
        'R1,Qingdao Haida Garment Co.,CN,BRIGHT HARBOUR SHIPPING SA,"Akti Kondyli 12, Piraeus",GR,8487.10,Ship propellers,China,Greece,2024-02-11\n',
    );
    await importShipments(store, csv);
    expect((await screenStore(store, { save: false })).findings).toEqual([]);
  });

  it('the vessel risk profile counts the ownership findings, with the reason', async () => {
    const sold = vessel('inj-sale-reflag');
    const profile = await vesselRiskFromStore(store, String(sold.identities[0]!.imo));
    expect(profile.findingsByKind['vessel.acquisition']).toBe(1);
    expect(profile.findingsByKind['vessel.ownership_exposure']).toBe(1);
    const listed = profile.factors.find((f) => f.code === 'LISTED_CONTROLLER')!;
    expect(listed.explanation).toContain('managed by listed CHANG AN SHIPPING & TECHNOLOGY');
    expect(profile.factors.map((f) => f.code)).toEqual(expect.arrayContaining(['COMPLEX_OWNERSHIP', 'FALSE_FLAG']));
    const control = await vesselRiskFromStore(store, String(vessel('control-bulk').identities[0]!.mmsi));
    expect(control.factors.map((f) => f.code)).not.toContain('COMPLEX_OWNERSHIP');
    expect(control.factors.map((f) => f.code)).not.toContain('LISTED_CONTROLLER');
  });

  it('ownership kinds are selectable like the maritime ones', async () => {
    expect((await ownershipForRun(store, ['vessel.acquisition'])).map((f) => f.kind)).toEqual(['vessel.acquisition']);
    expect(await ownershipForRun(store, ['ais.gap'])).toEqual([]);
  });
});
