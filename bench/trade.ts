/**
 * Trade benchmark: 1,000,000 shipment records imported and screened (parties against the UN and OFAC lists, HS
 * codes and descriptions against the DPRK prohibitions, vessels against AIS DPRK port calls). Target (issue 15):
 * screening < 60 s. The records are synthetic but shaped like a customs extract: 40,000 distinct companies
 * (place, coined brand, word, trade and legal form; shippers, consignees and notify parties recur, as they do
 * in real extracts), 0.05 % of records naming a real
 * listed DPRK company, HS codes drawn from the 5,600 HS2022 subheadings, 2 % of records to or from the DPRK,
 * 6,000 vessels of which 100 have DPRK port calls in the AIS findings (400 port-visit findings). Writes
 * bench/results/trade.md. Run: npx tsx bench/trade.ts [records]
 */

import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { type Finding, findingId } from '../src/findings/finding.js';
import { importList } from '../src/lists/import.js';
import { Rng } from '../src/maritime/simulate/prng.js';
import { dataPath } from '../src/paths.js';
import { screeningService } from '../src/screening/service.js';
import { openStore } from '../src/store/open.js';
import { screenStore } from '../src/trade/screen.js';
import { importShipments } from '../src/trade/shipments.js';

const N = Number(process.argv[2] ?? 1_000_000);
const rng = new Rng(15);
const dir = mkdtempSync(path.join(tmpdir(), 'wk-bench-trade-'));
const load0 = loadavg()[0]!;

// ---- synthetic inputs ---------------------------------------------------------------------------------------------
const PLACES = [
  'Qingdao',
  'Dalian',
  'Tianjin',
  'Shanghai',
  'Ningbo',
  'Busan',
  'Yokohama',
  'Vladivostok',
  'Nakhodka',
  'Hamburg',
  'Rotterdam',
  'Singapore',
  'Mumbai',
  'Dubai',
  'Santos',
  'Houston',
  'Jakarta',
  'Manila',
  'Haiphong',
  'Kaohsiung',
];
const WORDS = [
  'Ocean',
  'Golden',
  'Star',
  'Harbor',
  'United',
  'Pacific',
  'Eastern',
  'Bright',
  'Prime',
  'Global',
  'Silver',
  'Dragon',
  'Lotus',
  'Summit',
  'Delta',
  'Crown',
  'Evergreen',
  'Sunrise',
  'Phoenix',
  'Northern',
  'Coastal',
  'Liberty',
  'Orient',
  'Atlas',
  'Horizon',
];
const TRADES = [
  'Trading',
  'Logistics',
  'Import & Export',
  'Industrial',
  'Foods',
  'Textiles',
  'Machinery',
  'Chemicals',
  'Metals',
  'Electronics',
  'Shipping',
  'Agro',
  'Energy',
  'Garments',
  'Seafood',
];
const SUFFIX = ['Co., Ltd.', 'LLC', 'GmbH', 'Pte Ltd', 'Inc.', 'S.A.', 'B.V.', 'K.K.', 'JSC', 'Limited'];
const COUNTRIES = [
  'China',
  'Korea (Republic of)',
  'Japan',
  'Russia',
  'Germany',
  'Netherlands',
  'Singapore',
  'India',
  'United Arab Emirates',
  'Brazil',
  'United States',
  'Indonesia',
  'Philippines',
  'Viet Nam',
  'Taiwan',
];
// Real company names carry a coined brand ("Haida", "Xinyuan"): two syllables of 40 give 1,600 brands.
const SYLLABLES = [
  'hai',
  'da',
  'xin',
  'yuan',
  'hua',
  'feng',
  'jin',
  'long',
  'rui',
  'tai',
  'kang',
  'sheng',
  'bao',
  'heng',
  'yu',
  'min',
  'zhen',
  'lian',
  'guo',
  'wei',
  'shun',
  'fu',
  'chang',
  'tong',
  'ming',
  'qi',
  'rong',
  'hong',
  'ke',
  'lan',
  'san',
  'ko',
  'mi',
  'ta',
  'ra',
  'no',
  'vel',
  'tek',
  'sol',
  'mar',
];
const brand = (): string => {
  const b = `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}`;
  return b[0]!.toUpperCase() + b.slice(1);
};
const companies: Array<[string, string, string]> = [];
const seen = new Set<string>();
while (companies.length < 40_000) {
  const i = rng.int(0, PLACES.length - 1);
  const name = `${PLACES[i]} ${brand()} ${rng.pick(WORDS)} ${rng.pick(TRADES)} ${rng.pick(SUFFIX)}`;
  if (seen.has(name)) continue;
  seen.add(name);
  companies.push([name, `${rng.int(1, 999)} ${rng.pick(WORDS)} Road, ${PLACES[i]}`, COUNTRIES[i % COUNTRIES.length]!]);
}
const LISTED = [
  'KOREA RYONBONG GENERAL CORPORATION',
  'Korea Mining Development Trading Corp.',
  'KOREA KUMSAN TRADING CORPORATION',
  'Korea Daesong General Trading Corp',
];
const hsCodes = readFileSync(dataPath('trade', 'hs', 'harmonized-system.csv'), 'utf8')
  .split('\n')
  .map((l) => l.split(',')[1] ?? '')
  .filter((c) => /^\d{6}$/.test(c));
const DESCRIPTIONS = [
  'general cargo',
  'steel coils',
  'frozen fish',
  'cotton garments',
  'machine parts',
  'steam coal',
  'iron ore fines',
  'diesel fuel',
  'used cars',
  'electronic components',
  'plastic resin',
  'wheat in bulk',
  'fertiliser',
  'timber logs',
  'furniture',
];
const vessels = Array.from({ length: 6000 }, (_, i) => ({
  imo: 9_000_000 + i * 7,
  name: `${rng.pick(WORDS).toUpperCase()} ${rng.pick(WORDS).toUpperCase()} ${i}`,
  mmsi: 400_000_000 + i,
}));
const Y0 = Date.parse('2023-01-01T00:00:00Z');
const DAY = 86_400_000;
const q = (s: string | undefined = '') => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const file = path.join(dir, 'shipments.csv');
const out = createWriteStream(file);
out.write(
  'reference,doc_date,shipper,shipper_address,shipper_country,consignee,consignee_address,consignee_country,notify_party,hs_code,description,origin,destination,port_loading,port_discharge,vessel_name,vessel_imo,departure_date,arrival_date,weight_kg,value,currency\n',
);
for (let i = 0; i < N; i++) {
  const s = rng.pick(companies);
  const c = rng.next() < 0.0005 ? [rng.pick(LISTED), 'Pyongyang', 'DPRK'] : rng.pick(companies);
  const dprk = rng.next() < 0.02;
  const v = rng.pick(vessels);
  const dep = Y0 + rng.int(0, 364) * DAY;
  const d = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const line = [
    `BL${i}`,
    d(dep),
    s[0],
    s[1],
    s[2],
    c[0],
    c[1],
    c[2],
    rng.next() < 0.3 ? c[0] : '',
    rng.pick(hsCodes),
    rng.pick(DESCRIPTIONS),
    s[2],
    dprk ? 'DPRK' : c[2],
    `${s[1].split(', ')[1]}`,
    dprk ? 'Nampo' : 'Rotterdam',
    v.name,
    String(v.imo),
    d(dep),
    d(dep + rng.int(3, 30) * DAY),
    String(rng.int(1000, 50_000_000)),
    `${rng.int(1000, 9_000_000)}.00`,
    'USD',
  ];
  if (!out.write(`${line.map(q).join(',')}\n`)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');

// ---- store: lists and AIS DPRK port calls ---------------------------------------------------------------------------
const store = await openStore({ url: path.join(dir, 'bench.duckdb') });
await importList(store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'));
await importList(store, dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'), {
  format: 'ofac-csv',
  fetchedAt: '2024-05-03T00:00:00.000Z',
});
const visits: Finding[] = [];
for (let k = 0; k < 400; k++) {
  const v = vessels[(k % 100) * 60]!;
  const t = Y0 + rng.int(0, 364) * DAY;
  const start = new Date(t).toISOString();
  visits.push({
    id: findingId('ais.port_visit', [`ais-${v.mmsi}`], start),
    kind: 'ais.port_visit',
    subjects: [`ais-${v.mmsi}`],
    start,
    end: new Date(t + 20 * 3_600_000).toISOString(),
    score: 0.95,
    redFlags: ['DPRK_PORT_CALL'],
    explanation: `synthetic DPRK port call of MMSI ${v.mmsi}`,
    evidence: [],
    params: {},
    vessels: [{ mmsi: v.mmsi, imo: v.imo, name: v.name }],
    details: { port: { name: 'NAMPO', iso3: 'PRK' }, dprkPort: true },
  });
}
await store.putFindings(visits);

// ---- measured -------------------------------------------------------------------------------------------------------
const icpu0 = process.cpuUsage();
const t0 = performance.now();
const imp = await importShipments(store, file);
const importS = (performance.now() - t0) / 1000;
const icpu = process.cpuUsage(icpu0);
const t1 = performance.now();
await screeningService(store).index();
const indexS = (performance.now() - t1) / 1000;
const cpu0 = process.cpuUsage();
const t2 = performance.now();
const r = await screenStore(store);
const screenS = (performance.now() - t2) / 1000;
const cpu = process.cpuUsage(cpu0);
const rss = process.memoryUsage().rss;
await store.close();
rmSync(dir, { recursive: true, force: true });

const fmt = (x: number) => x.toLocaleString('en-US');
const md = `## Trade: shipment records screened (bench/trade.ts)

Measured ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, load average ${load0.toFixed(1)} at the start (the machine is
shared). ${fmt(N)} synthetic shipment records (22 columns; 40,000 distinct companies, 0.05 % naming a listed DPRK
company, HS codes drawn from the HS2022 subheadings, 2 % to the DPRK via Nampo, 6,000 vessels of which 100 have
400 DPRK port calls among the findings), screened against the UN and OFAC lists in the store (DuckDB file).
No reference tool screens trade records this way, so there is no figure beside ours.

| step | records | time | records/s | target | met |
|---|---|---|---|---|---|
| \`trade import\` (CSV → trade_shipments, one transaction) | ${fmt(imp.rows)} | ${importS.toFixed(1)} s | ${fmt(Math.round(imp.rows / importS))} | | |
| screening index (lists, built once per process) | | ${indexS.toFixed(1)} s | | | |
| **\`trade screen\`**: parties + HS + vessels, findings stored | ${fmt(r.records)} | **${screenS.toFixed(1)} s** | ${fmt(Math.round(r.records / screenS))} | < 60 s | ${screenS < 60 ? 'yes' : 'no'} |

The import used ${((icpu.user + icpu.system) / 1e6).toFixed(1)} s of CPU (this process and DuckDB's threads).
Screening used ${(cpu.user / 1e6).toFixed(1)} s user + ${(cpu.system / 1e6).toFixed(1)} s system CPU; RSS ${Math.round(rss / 2 ** 20)} MiB at the end.
${fmt(r.partyLookups)} distinct parties were looked up (a party recurring across records is looked up once); the list
vocabulary ruled out ${fmt(r.partiesRuledOut)} distinct names before any ranking or scoring.
Findings: ${Object.entries(r.byKind)
  .map(([k, n]) => `${fmt(n)} ${k}`)
  .join(', ')}.
`;
writeFileSync(path.join(import.meta.dirname, 'results', 'trade.md'), md);
process.stdout.write(md);
process.stdout.write('wrote bench/results/trade.md\n');
