/**
 * The facts OFAC packs into the SDN "remarks" column: `DOB 18 Jun 1964; POB Kaesong, DPRK; a.k.a. 'KOMID';
 * Vessel Registration Identification IMO 7937317; Digital Currency Address - XBT 1abc...; Linked To: X.`
 *
 * `splitRemarks` cuts the text into facts (quote-aware, so an alias holding "; " stays whole); `parseRemark`
 * turns one fact into a typed value through a declared table of patterns. Whatever no pattern recognises comes
 * back as `unparsed`, for the importer to keep as `notes`: nothing is silently dropped.
 */

export type RemarkFact =
  | { kind: 'alias'; quality: 'aka' | 'fka' | 'nka'; value: string }
  | { kind: 'birthDate'; value: string; circa: boolean }
  | { kind: 'prop'; prop: string; value: string; label: string }
  | { kind: 'country'; prop: string; value: string; label: string }
  | { kind: 'identifier'; prop: string; label: string; value: string; country?: string; details?: string }
  | { kind: 'passport'; value: string; country?: string; details?: string }
  | { kind: 'imo'; value: string; label: string }
  | { kind: 'wallet'; currency: string; address: string }
  | { kind: 'link'; label: string; value: string }
  | { kind: 'provision'; value: string }
  | { kind: 'unparsed'; value: string };

const ALIAS_START = /([afn])\.k\.a\.,?\s+'/y;

/** Split remarks into facts at "; ", keeping quoted aliases whole; the closing full stop is removed. */
export function splitRemarks(text: string): string[] {
  const parts: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && (text[i] === ' ' || text[i] === ';')) i++;
    if (i >= n) break;
    ALIAS_START.lastIndex = i;
    let end = -1;
    let next = -1;
    if (ALIAS_START.test(text)) {
      // The alias ends at a quote followed by ";", "." + end, or the end.
      let q = text.indexOf("'", ALIAS_START.lastIndex);
      while (q !== -1) {
        const rest = text.slice(q + 1, q + 4);
        if (q + 1 === n || rest.startsWith(';') || /^\.\s*$/.test(text.slice(q + 1)) || rest.startsWith('.;')) {
          end = q + 1;
          const semi = text.indexOf(';', end);
          next = semi === -1 ? n : semi + 1;
          break;
        }
        q = text.indexOf("'", q + 1);
      }
    }
    if (end === -1) {
      const semi = text.indexOf(';', i);
      end = semi === -1 ? n : semi;
      next = semi === -1 ? n : semi + 1;
    }
    let part = text.slice(i, end).trim();
    if (next >= n) part = part.replace(/\.$/, '');
    if (part) parts.push(part);
    i = next;
  }
  return parts;
}

const MONTHS: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

/** "18 Jun 1964" → "1964-06-18", "Jun 1964" → "1964-06", "1964" → "1964"; undefined when not a date. */
export function ofacDate(text: string): string | undefined {
  const t = text.trim();
  let m = /^(\d{1,2}) ([A-Za-z]{3})[a-z]*\.? (\d{4})$/.exec(t);
  if (m && MONTHS[m[2]!.toLowerCase()]) return `${m[3]}-${MONTHS[m[2]!.toLowerCase()]}-${m[1]!.padStart(2, '0')}`;
  m = /^([A-Za-z]{3})[a-z]*\.? (\d{4})$/.exec(t);
  if (m && MONTHS[m[1]!.toLowerCase()]) return `${m[2]}-${MONTHS[m[1]!.toLowerCase()]}`;
  m = /^(\d{4})$/.exec(t);
  if (m) return m[1];
  return undefined;
}

/** Dates in a DOB fact: a single date, "circa 1947", or a range "1961 to 1963" (each year of a short range). */
function birthDates(text: string): string[] | undefined {
  const t = text.replace(/^circa\s+/i, '').trim();
  const range = /^(.+?) to (.+)$/.exec(t);
  if (range) {
    const a = ofacDate(range[1]!);
    const b = ofacDate(range[2]!);
    if (!a || !b) return undefined;
    const ya = Number(a.slice(0, 4));
    const yb = Number(b.slice(0, 4));
    if (a.length === 4 && b.length === 4 && yb >= ya && yb - ya <= 20) {
      const out: string[] = [];
      for (let y = ya; y <= yb; y++) out.push(String(y));
      return out;
    }
    return [a, b];
  }
  const d = ofacDate(t);
  return d ? [d] : undefined;
}

/** "X123 (Iran) issued 28 Oct 2008 expires 29 Oct 2013" → number, country, details. */
function splitIdentifier(text: string): { value: string; country?: string; details?: string } {
  const m = /^(.*?)(?:\s+\(([^)]+)\))?((?:\s*,)?\s+(?:issued|expires|expired|valid|Date|Issue)\b.*)?$/i.exec(
    text.trim(),
  );
  if (!m) return { value: text.trim() };
  return { value: m[1]!.trim(), country: m[2]?.trim(), details: m[3]?.replace(/^\s*,?\s*/, '').trim() || undefined };
}

interface Rule {
  re: RegExp;
  map: (m: RegExpExecArray) => RemarkFact | RemarkFact[] | undefined;
}

/** Identifier labels and the FtM property they fill. The label is kept on the Identification entity. */
const ID_LABELS: Record<string, string[]> = {
  taxNumber: [
    'Tax ID No.',
    'NIT #',
    'RUC #',
    'RFC',
    'V.A.T. Number',
    'VAT Number',
    'Tax Number',
    'CUIT',
    'C.U.I.T.',
    'C.U.I.',
    'RIF #',
    'US FEIN',
    'RTN',
    'Taxpayer Identification Number',
  ],
  registrationNumber: [
    'Registration Number',
    'Registration ID',
    'Business Registration Number',
    'Company Number',
    'Commercial Registry Number',
    'Trade License No.',
    'Business Number',
    'Business Registration Document #',
    'Chamber of Commerce Number',
    'C.R. No.',
    'Economic Register Number (CBLS)',
    'Legal Entity Number',
    'Government Gazette Number',
    'Folio Mercantil No.',
    'Matricula Mercantil No',
    'License',
    'Enterprise Number',
    'Certificate of Incorporation Number',
    'Registered Charity No.',
    'Unified Social Credit Code (USCC)',
    'United Social Credit Code Certificate (USCCC)',
    'Central Registration System Number',
    'Public Registration Number',
    'Registration No.',
    'UK Company Number',
    'Branch Unit Number',
    'LE Number',
    'BIK (RU)',
  ],
  dunsCode: ['D-U-N-S Number'],
  swiftBic: ['SWIFT/BIC'],
  leiCode: ['LEI'],
  idNumber: [
    'National ID No.',
    'National Foreign ID Number',
    'Cedula No.',
    'Identification Number',
    'D.N.I.',
    "Citizen's Card Number",
    'Personal ID Card',
    "Driver's License No.",
    'Birth Certificate Number',
    'Residency Number',
    'Social Security Number',
    'SSN',
    'Credencial electoral',
    'Electoral Registry No.',
    'C.U.R.P.',
    'CURP #',
    'Chinese Commercial Code',
    'Immigration No.',
    'Travel Document Number',
    'Numero de Identidad',
    'Cartilla de Servicio Militar No.',
    'I.F.E.',
    'Identity Card',
    'Turkish Identification Number',
    'Refugee ID Card',
    'Stateless Person ID Card',
  ],
};

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ID_RULES: Rule[] = Object.entries(ID_LABELS).map(([prop, labels]) => ({
  re: new RegExp(
    `^(${[...labels]
      .sort((a, b) => b.length - a.length)
      .map(escapeRe)
      .join('|')})\\s+(.+)$`,
    'i',
  ),
  map: (m: RegExpExecArray): RemarkFact => ({ kind: 'identifier', prop, label: m[1]!, ...splitIdentifier(m[2]!) }),
}));

const RULES: Rule[] = [
  {
    re: /^([afn])\.k\.a\.,?\s+'(.*)'$/s,
    map: (m) => ({ kind: 'alias', quality: `${m[1]}ka` as 'aka', value: m[2]!.trim() }),
  },
  {
    re: /^([afn])\.k\.a\.,?\s+(.+)$/s,
    map: (m) => ({ kind: 'alias', quality: `${m[1]}ka` as 'aka', value: m[2]!.trim() }),
  },
  {
    re: /^DOB\s+(.+)$/,
    map: (m) => {
      const dates = birthDates(m[1]!);
      if (!dates) return undefined;
      const circa = /^circa/i.test(m[1]!);
      return dates.map((value) => ({ kind: 'birthDate' as const, value, circa }));
    },
  },
  { re: /^POB\s+(.+)$/, map: (m) => ({ kind: 'prop', prop: 'birthPlace', value: m[1]!, label: 'POB' }) },
  {
    re: /^nationality of Registration\s+(.+)$/i,
    map: (m) => ({ kind: 'country', prop: 'jurisdiction', value: m[1]!, label: 'nationality of Registration' }),
  },
  {
    re: /^nationality\s+(.+)$/i,
    map: (m) => ({ kind: 'country', prop: 'nationality', value: m[1]!, label: 'nationality' }),
  },
  { re: /^citizen\s+(.+)$/i, map: (m) => ({ kind: 'country', prop: 'citizenship', value: m[1]!, label: 'citizen' }) },
  {
    re: /^Gender\s+(Male|Female)$/i,
    map: (m) => ({ kind: 'prop', prop: 'gender', value: m[1]!.toLowerCase(), label: 'Gender' }),
  },
  {
    re: /^(?:Diplomatic\s+|Stateless Person\s+)?Passport\s+(.+)$/i,
    map: (m) => ({ kind: 'passport', ...splitIdentifier(m[1]!) }),
  },
  {
    re: /^(Vessel Registration Identification|Identification Number|Company Number|Registration Number)\s+IMO\s+(\d{7})\b.*$/,
    map: (m) => ({ kind: 'imo', value: `IMO${m[2]}`, label: m[1]! }),
  },
  { re: /^MMSI\s+(\d{9})\b.*$/, map: (m) => ({ kind: 'prop', prop: 'mmsi', value: m[1]!, label: 'MMSI' }) },
  {
    re: /^Digital Currency Address - ([A-Za-z0-9]+)\s+(\S+)$/,
    map: (m) => ({ kind: 'wallet', currency: m[1]!.toUpperCase(), address: m[2]! }),
  },
  { re: /^Linked To:\s*(.+)$/, map: (m) => ({ kind: 'link', label: 'Linked To', value: m[1]! }) },
  { re: /^Website\s+(\S+)$/i, map: (m) => ({ kind: 'prop', prop: 'website', value: m[1]!, label: 'Website' }) },
  { re: /^Email Address\s+(\S+)$/i, map: (m) => ({ kind: 'prop', prop: 'email', value: m[1]!, label: 'Email' }) },
  {
    re: /^(?:Phone Number|Telephone|Telephone Number|Fax|Fax No\.)[:\s]+(.+)$/i,
    map: (m) => ({ kind: 'prop', prop: 'phone', value: m[1]!, label: 'Phone' }),
  },
  {
    re: /^Organization Established Date\s+(.+)$/,
    map: (m) => {
      const d = ofacDate(m[1]!);
      return d ? { kind: 'prop', prop: 'incorporationDate', value: d, label: 'Established' } : undefined;
    },
  },
  {
    re: /^Organization Type:\s*(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'sector', value: m[1]!, label: 'Organization Type' }),
  },
  {
    re: /^Target Type\s+(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'classification', value: m[1]!, label: 'Target Type' }),
  },
  {
    re: /^Vessel Year of Build\s+(\d{4})$/,
    map: (m) => ({ kind: 'prop', prop: 'buildDate', value: m[1]!, label: 'Year of Build' }),
  },
  {
    re: /^(?:Former|Other) Vessel Flag\s+(.+)$/,
    map: (m) => ({ kind: 'country', prop: 'pastFlags', value: m[1]!, label: 'Former Vessel Flag' }),
  },
  {
    re: /^Other Vessel Call Sign\s+(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'callSign', value: m[1]!, label: 'Call Sign' }),
  },
  {
    re: /^(?:Other|Former) Vessel Type\s+(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'pastTypes', value: m[1]!, label: 'Vessel Type' }),
  },
  { re: /^Vessel Type\s+(.+)$/, map: (m) => ({ kind: 'prop', prop: 'type', value: m[1]!, label: 'Vessel Type' }) },
  {
    re: /^Aircraft Model\s+(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'model', value: m[1]!, label: 'Aircraft Model' }),
  },
  {
    re: /^Aircraft Manufacturer's Serial Number \(MSN\)\s+(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'serialNumber', value: m[1]!, label: 'MSN' }),
  },
  {
    re: /^Aircraft Tail Number\s+(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'registrationNumber', value: m[1]!, label: 'Tail Number' }),
  },
  {
    re: /^Aircraft Manufacture Date\s+(.+)$/,
    map: (m) => {
      const d = ofacDate(m[1]!);
      return d ? { kind: 'prop', prop: 'buildDate', value: d, label: 'Manufacture Date' } : undefined;
    },
  },
  { re: /^Aircraft Operator\s+(.+)$/, map: (m) => ({ kind: 'link', label: 'Aircraft Operator', value: m[1]! }) },
  {
    re: /^(?:Additional Sanctions Information -|Secondary sanctions risk:|Transactions Prohibited For|Executive Order \d+|CAATSA Section|Effective Date|Listing Date|Sanctions Risk:)/,
    map: (m) => ({ kind: 'provision', value: m.input }),
  },
  {
    re: /^Aircraft Construction Number \(also called L\/N or S\/N or F\/N\)\s+(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'serialNumber', value: m[1]!, label: 'Construction Number' }),
  },
  {
    re: /^Previous Aircraft Tail Number\s+(.+)$/,
    map: (m) => ({ kind: 'prop', prop: 'registrationNumber', value: m[1]!, label: 'Previous Tail Number' }),
  },
  ...ID_RULES,
];

/** One fact → a typed fact, or `unparsed` with the text as it was. */
export function parseRemark(fact: string): RemarkFact[] {
  const text = fact.replace(/^alt\.\s+/, '');
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (!m) continue;
    const r = rule.map(m);
    if (r === undefined) continue;
    return Array.isArray(r) ? r : [r];
  }
  return [{ kind: 'unparsed', value: fact }];
}

export function parseRemarks(text: string): RemarkFact[] {
  const out: RemarkFact[] = [];
  for (const part of splitRemarks(text)) out.push(...parseRemark(part));
  return out;
}
