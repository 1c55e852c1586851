/**
 * Text legends gpsd prints next to coded values (`status_text`, `shiptype_text`, ...). They follow ITU-R M.1371
 * wording as gpsd renders it, so tools reading gpsd JSON see the same strings.
 */

export const NAV_STATUS: readonly string[] = [
  'Under way using engine',
  'At anchor',
  'Not under command',
  'Restricted manoeuverability',
  'Constrained by her draught',
  'Moored',
  'Aground',
  'Engaged in fishing',
  'Under way sailing',
  'Reserved for HSC',
  'Reserved for WIG',
  'Reserved',
  'Reserved',
  'Reserved',
  'Reserved',
  'Not defined',
];

const EPFD: readonly string[] = [
  'Undefined',
  'GPS',
  'GLONASS',
  'Combined GPS/GLONASS',
  'Loran-C',
  'Chayka',
  'Integrated navigation system',
  'Surveyed',
  'Galileo',
];
/** gpsd 3.22's `epfd_text`: values 9..15 print "INVALID EPFD". */
export const epfdText = (n: number): string => EPFD[n] ?? 'INVALID EPFD';
/**
 * `epfd_text` of current gpsd output: the reserved values get ITU-R M.1371-5's meaning (9..14 reserved, 15 internal
 * GNSS) instead of "INVALID EPFD".
 */
export const epfdTextCurrent = (n: number): string => EPFD[n] ?? (n === 15 ? 'Internal GNSS' : 'Reserved');

const SHIP_TYPES: string[] = (() => {
  const a: string[] = new Array(100).fill('Reserved for future use');
  a[0] = 'Not available';
  const group = (base: number, label: string, last: string): void => {
    a[base] = `${label} - all ships of this type`;
    for (let k = 1; k <= 4; k++) a[base + k] = `${label} - Hazardous category ${'ABCD'[k - 1]}`;
    for (let k = 5; k <= 8; k++) a[base + k] = `${label} - Reserved for future use`;
    a[base + 9] = `${label} - ${last}`;
  };
  group(20, 'Wing in ground (WIG)', 'Reserved for future use');
  a[30] = 'Fishing';
  a[31] = 'Towing';
  a[32] = 'Towing: length exceeds 200m or breadth exceeds 25m';
  a[33] = 'Dredging or underwater ops';
  a[34] = 'Diving ops';
  a[35] = 'Military ops';
  a[36] = 'Sailing';
  a[37] = 'Pleasure Craft';
  a[38] = 'Reserved';
  a[39] = 'Reserved';
  group(40, 'High speed craft (HSC)', 'No additional information');
  a[50] = 'Pilot Vessel';
  a[51] = 'Search and Rescue vessel';
  a[52] = 'Tug';
  a[53] = 'Port Tender';
  a[54] = 'Anti-pollution equipment';
  a[55] = 'Law Enforcement';
  a[56] = 'Spare - Local Vessel';
  a[57] = 'Spare - Local Vessel';
  a[58] = 'Medical Transport';
  a[59] = 'Ship according to RR Resolution No. 18';
  group(60, 'Passenger', 'No additional information');
  group(70, 'Cargo', 'No additional information');
  group(80, 'Tanker', 'No additional information');
  group(90, 'Other Type', 'no additional information');
  return a;
})();
export const shipTypeText = (n: number): string => SHIP_TYPES[n] ?? 'INVALID SHIP TYPE';

const STATION_TYPES: readonly string[] = [
  'All types of mobiles',
  'Reserved for future use',
  'All types of Class B mobile stations',
  'SAR airborne mobile station',
  'Aid to Navigation station',
  'Class B shipborne mobile station',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Regional use and inland waterways',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
  'Reserved for future use',
];
export const stationTypeText = (n: number): string => STATION_TYPES[n] ?? 'INVALID STATION TYPE';

const NAVAID_TYPES: readonly string[] = [
  'Unspecified',
  'Reference point',
  'RACON',
  'Fixed offshore structure',
  'Spare, Reserved for future use.',
  'Light, without sectors',
  'Light, with sectors',
  'Leading Light Front',
  'Leading Light Rear',
  'Beacon, Cardinal N',
  'Beacon, Cardinal E',
  'Beacon, Cardinal S',
  'Beacon, Cardinal W',
  'Beacon, Port hand',
  'Beacon, Starboard hand',
  'Beacon, Preferred Channel port hand',
  'Beacon, Preferred Channel starboard hand',
  'Beacon, Isolated danger',
  'Beacon, Safe water',
  'Beacon, Special mark',
  'Cardinal Mark N',
  'Cardinal Mark E',
  'Cardinal Mark S',
  'Cardinal Mark W',
  'Port hand Mark',
  'Starboard hand Mark',
  'Preferred Channel Port hand',
  'Preferred Channel Starboard hand',
  'Isolated danger',
  'Safe Water',
  'Special Mark',
  'Light Vessel / LANBY / Rigs',
];
export const navaidText = (n: number): string => NAVAID_TYPES[n] ?? 'INVALID NAVAID TYPE';

export const TRENDS: readonly string[] = ['steady', 'increasing', 'decreasing', 'N/A'];
export const PRECIP_TYPES: readonly string[] = [
  'reserved',
  'rain',
  'thunderstorm',
  'freezing rain',
  'mixed/ice',
  'snow',
  'reserved',
  'N/A',
];
export const ICE: readonly string[] = ['no', 'yes', 'reserved', 'N/A'];
export const RACON_STATUS: readonly string[] = [
  'No RACON installed',
  'RACON not monitored',
  'RACON operational',
  'RACON ERROR',
];
export const LIGHT_STATUS: readonly string[] = ['No light or no monitoring', 'Light ON', 'Light OFF', 'Light ERROR'];
export const RTA_STATUS: readonly string[] = ['Operational', 'Limited operation', 'Out of order', 'N/A'];
export const BERTH_POSITION: readonly string[] = [
  'Not available',
  'Port-side to',
  'Starboard-side to',
  'Mediterranean (end-on) mooring',
  'Mooring buoy',
  'Anchorage',
  'Reserved for future use',
  'Reserved for future use',
];
export const ROUTE_TYPES: readonly string[] = (() => {
  const a = new Array<string>(32).fill('Reserved for future use.');
  a[0] = 'Undefined (default)';
  a[1] = 'Mandatory';
  a[2] = 'Recommended';
  a[3] = 'Alternative';
  a[4] = 'Recommended route through ice';
  a[5] = 'Ship route plan';
  a[31] = 'Cancel route identified by message linkage';
  return a;
})();
export const ID_TYPES: readonly string[] = ['mmsi', 'imo', 'callsign', 'other'];
const SIGNALS: readonly string[] = [
  'N/A',
  'Serious emergency – stop or divert according to instructions.',
  'Vessels shall not proceed.',
  'Vessels may proceed. One way traffic.',
  'Vessels may proceed. Two way traffic.',
  'Vessels shall proceed on specific orders only.',
  'Vessels in main channel shall not proceed.',
  'Vessels in main channel shall proceed on specific orders only.',
  'Vessels in main channel shall proceed on specific orders only.',
  'I = "in-bound" only acceptable.',
  'O = "out-bound" only acceptable.',
  'F = both "in- and out-bound" acceptable.',
  'XI = Code will shift to "I" in due time.',
  'XO = Code will shift to "O" in due time.',
  'X = Vessels shall proceed only on direction.',
];
export const signalText = (n: number): string => SIGNALS[n] ?? 'INVALID SIGNAL TYPE';

/** Inland AIS (DAC 200 FID 10) ERI ship types: code, matching AIS type, legend. */
const INLAND_SHIP_TYPES: ReadonlyArray<readonly [number, number, string]> = [
  [8000, 99, 'Vessel, type unknown'],
  [8010, 79, 'Motor freighter'],
  [8020, 89, 'Motor tanker'],
  [8021, 80, 'Motor tanker, liquid cargo, type N'],
  [8022, 80, 'Motor tanker, liquid cargo, type C'],
  [8023, 89, 'Motor tanker, dry cargo as if liquid (e.g. cement)'],
  [8030, 79, 'Container vessel'],
  [8040, 80, 'Gas tanker'],
  [8050, 79, 'Motor freighter, tug'],
  [8060, 89, 'Motor tanker, tug'],
  [8070, 79, 'Motor freighter with one or more ships alongside'],
  [8080, 89, 'Motor freighter with tanker'],
  [8090, 79, 'Motor freighter pushing one or more freighters'],
  [8100, 89, 'Motor freighter pushing at least one tank-ship'],
  [8110, 79, 'Tug, freighter'],
  [8120, 89, 'Tug, tanker'],
  [8130, 31, 'Tug freighter, coupled'],
  [8140, 31, 'Tug, freighter/tanker, coupled'],
  [8150, 99, 'Freightbarge'],
  [8160, 99, 'Tankbarge'],
  [8161, 90, 'Tankbarge, liquid cargo, type N'],
  [8162, 90, 'Tankbarge, liquid cargo, type C'],
  [8163, 99, 'Tankbarge, dry cargo as if liquid (e.g. cement)'],
  [8170, 99, 'Freightbarge with containers'],
  [8180, 90, 'Tankbarge, gas'],
  [8210, 79, 'Pushtow, one cargo barge'],
  [8220, 79, 'Pushtow, two cargo barges'],
  [8230, 79, 'Pushtow, three cargo barges'],
  [8240, 79, 'Pushtow, four cargo barges'],
  [8250, 79, 'Pushtow, five cargo barges'],
  [8260, 79, 'Pushtow, six cargo barges'],
  [8270, 79, 'Pushtow, seven cargo barges'],
  [8280, 79, 'Pushtow, eigth cargo barges'],
  [8290, 79, 'Pushtow, nine or more barges'],
  [8310, 80, 'Pushtow, one tank/gas barge'],
  [8320, 80, 'Pushtow, two barges at least one tanker or gas barge'],
  [8330, 80, 'Pushtow, three barges at least one tanker or gas barge'],
  [8340, 80, 'Pushtow, four barges at least one tanker or gas barge'],
  [8350, 80, 'Pushtow, five barges at least one tanker or gas barge'],
  [8360, 80, 'Pushtow, six barges at least one tanker or gas barge'],
  [8370, 80, 'Pushtow, seven barges at least one tanker or gas barg'],
];
export const inlandShipTypeText = (n: number): string => {
  for (const [code, ais, legend] of INLAND_SHIP_TYPES) if (code === n || ais === n) return legend;
  return 'Illegal ship type value.';
};
export const HAZARD_TYPES = (n: number): string =>
  ['0 blue cones/lights', '1 blue cone/light', '2 blue cones/lights', '3 blue cones/lights', '4 B-Flag', 'Unknown'][
    n
  ] ?? 'INVALID HAZARD TYPE';
export const LOAD_STATUS = (n: number): string => ['N/A (default)', 'Unloaded', 'Loaded'][n] ?? 'INVALID LOAD STATUS';
export const EMMA_TYPES = (n: number): string =>
  [
    'Not Available',
    'Wind',
    'Rain',
    'Snow and ice',
    'Thunderstorm',
    'Fog',
    'Low temperature',
    'High temperature',
    'Flood',
    'Forest Fire',
  ][n] ?? 'INVALID EMMA TYPE';
export const EMMA_CLASSES = (n: number): string => ['Slight', 'Medium', 'Strong'][n] ?? 'INVALID EMMA TYPE';
export const EMMA_WINDS = (n: number): string =>
  ['N/A', 'North', 'North East', 'East', 'South East', 'South', 'South West', 'West', 'North West'][n] ??
  'INVALID EMMA WIND DIRECTION';
export const DIRECTIONS = (n: number): string =>
  ['Unknown', 'Upstream', 'Downstream', 'To left bank', 'To right bank'][n] ?? 'INVALID DIRECTION';
export const SIGNAL_STATUS = (n: number): string =>
  ['Unknown', 'No light', 'White', 'Yellow', 'Green', 'Red', 'White flashing', 'Yellow flashing.'][n] ??
  'INVALID STATUS';
