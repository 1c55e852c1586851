/**
 * The NMEA envelope of an AIS message, declared once: the `!xxVDM` / `!xxVDO` sentence (its fields, their order and
 * types, and the checksum rule), the NMEA 4.0 tag block before it (`\s:station,c:unixtime,g:n-m-id*hh\`), the USCG
 * NAIS fields after its checksum (`…*hh,s<rssi>,d<dBm>,T<seconds>,x<count>,r<station>,<unix time>`) and the
 * receive times some loggers write before it (`1276256771.123 !AIVDM…`, `2008-08-12T00:00:00Z !AIVDM…`).
 *
 * The sentence reader of nmea.ts, the constants and lookup tables of the import fast path (fast-positions.ts) and the
 * writer the simulator and the tests encode with (ais/envelope.ts) are all made from these declarations when their
 * modules load, as the message fields are made from the message tables. Sources: IEC 61162-1 (NMEA 0183 4.10) as
 * gpsd's "AIVDM/AIVDO protocol decoding" quotes it, and the USCG NAIS format notes that gpsd's driver follows.
 */

/**
 * A field of the sentence, after the address field (`!` + talker + formatter), in the order written:
 * - `digit`: one decimal digit; its value is the digit (`min`..`max`, where `max` may name an earlier field);
 * - `byte`: one character (one of `chars` when given), kept as its byte (the sequence id and the channel are keys,
 *   not numbers: an empty sequence id and "0" differ);
 * - `armored`: the six-bit armored payload (characters '0'..'W' and '`'..'w').
 * An `optional` field may be empty (value 0); its `empty` says what that means. `shape` is the reason a line is
 * malformed when the field is not one character (or, for `armored`, is empty); `range` when its value is out of range.
 */
export interface SentenceField {
  name: 'total' | 'num' | 'seq' | 'channel' | 'payload' | 'fill';
  kind: 'digit' | 'byte' | 'armored';
  optional?: boolean;
  /** Only `digit` fields: the smallest and largest value (a name: at most that field's value). */
  min?: number;
  max?: number | SentenceField['name'];
  /** Only `byte` fields: the characters allowed (any when not given). */
  chars?: string;
  /** The meaning of an empty optional field. */
  empty?: string;
  shape: string;
  range?: string;
  doc: string;
}

export interface SentenceDeclaration {
  /** The first character of an encapsulated sentence. */
  lead: string;
  /** Characters of the talker id (AI, AB, BS, SA, ...: any). */
  talkerChars: number;
  /** Sentence formatters: received by others, and own ship. */
  formatters: { received: string; own: string };
  /** Separator between fields, and before the checksum. */
  separator: string;
  fields: readonly SentenceField[];
  /** Reason when a required one-character field is missing or not one character. */
  shape: string;
  /** Fields after the last declared one (some loggers add them) are ignored. */
  trailingFields: 'ignored';
  checksum: ChecksumRule;
}

/**
 * The checksum of a sentence or tag block: the XOR of every byte after the lead character (or the tag block's opening
 * backslash) up to `mark`, written after it as `digits` hexadecimal digits (upper case when written, either case
 * read).
 */
export interface ChecksumRule {
  mark: string;
  digits: 2;
  rule: 'xor';
  writeCase: 'upper';
}

export const CHECKSUM: ChecksumRule = { mark: '*', digits: 2, rule: 'xor', writeCase: 'upper' };

export const AIVDM_SENTENCE: SentenceDeclaration = {
  lead: '!',
  talkerChars: 2,
  formatters: { received: 'VDM', own: 'VDO' },
  separator: ',',
  shape: 'VDM/VDO sentence with missing or misplaced fields',
  fields: [
    {
      name: 'total',
      kind: 'digit',
      min: 1,
      max: 9,
      shape: 'VDM/VDO sentence with missing or misplaced fields',
      range: 'fragment count or number out of range',
      doc: 'number of sentences the message takes',
    },
    {
      name: 'num',
      kind: 'digit',
      min: 1,
      max: 'total',
      shape: 'VDM/VDO sentence with missing or misplaced fields',
      range: 'fragment count or number out of range',
      doc: 'number of this sentence, from 1',
    },
    {
      name: 'seq',
      kind: 'byte',
      chars: '0123456789',
      optional: true,
      empty: 'a single-sentence message',
      shape: 'bad sequential message id',
      doc: 'sequential message id that ties the sentences of a multi-part message together (0-9)',
    },
    {
      name: 'channel',
      kind: 'byte',
      optional: true,
      empty: 'channel not given',
      shape: 'bad radio channel',
      doc: 'radio channel: A or B (1 or 2 from some receivers)',
    },
    {
      name: 'payload',
      kind: 'armored',
      shape: 'empty payload',
      doc: 'the message bits in six-bit armor (up to 82 characters a sentence)',
    },
    {
      name: 'fill',
      kind: 'digit',
      optional: true,
      min: 0,
      max: 5,
      empty: 'no fill bits',
      shape: 'bad fill bits field',
      range: 'fill bits outside 0..5',
      doc: 'fill bits added to the last six-bit character (0-5)',
    },
  ],
  trailingFields: 'ignored',
  checksum: CHECKSUM,
};

/**
 * A tag block key: `time` is a unix time (seconds, or milliseconds when it has `msDigits` digits or more), `station`
 * the source, `group` `sentence-total-id` (multi-part messages are assembled by it), `count` and `text` are read past.
 */
export interface TagKey {
  key: string;
  name: string;
  kind: 'time' | 'station' | 'group' | 'count' | 'text';
  doc: string;
}

export const TAG_BLOCK = {
  open: '\\',
  close: '\\',
  separator: ',',
  keySeparator: ':',
  /** Keys in the order they are written. Others (d:, r:) are read past, as `count` and `text` are. */
  keys: [
    { key: 's', name: 'station', kind: 'station', doc: 'source: the receiving station' },
    { key: 'c', name: 'time', kind: 'time', doc: 'receive time, unix seconds (or ms)' },
    { key: 'g', name: 'group', kind: 'group', doc: 'sentence-total-group id of a multi-part message' },
    { key: 'n', name: 'line', kind: 'count', doc: 'line count' },
    { key: 't', name: 'text', kind: 'text', doc: 'free text' },
  ] as readonly TagKey[],
  /** A `c:` value with this many digits or more is in milliseconds. */
  msDigits: 13,
  /** Most sentences of a tag-block group. */
  maxGroupTotal: 99,
  checksum: CHECKSUM,
} as const;

/**
 * A USCG NAIS field after the checksum: a letter then its value. `metric` fields (signal, slot, times of the
 * receiver) are read past, a `station` field names the receiving station (the first one counts).
 */
export interface NaisKey {
  key: string;
  name: string;
  role: 'metric' | 'station';
  doc: string;
}

export const NAIS_SUFFIX = {
  separator: ',',
  keys: [
    { key: 's', name: 'rssi', role: 'metric', doc: 'received signal strength' },
    { key: 'S', name: 'slot', role: 'metric', doc: 'TDMA slot' },
    { key: 'd', name: 'dbm', role: 'metric', doc: 'signal level in dBm' },
    { key: 't', name: 'tod', role: 'metric', doc: 'receiver time of day hhmmss.ss' },
    { key: 'T', name: 'seconds', role: 'metric', doc: 'seconds within the minute' },
    { key: 'x', name: 'count', role: 'metric', doc: 'message counter' },
    { key: 'r', name: 'station', role: 'station', doc: 'receiving station' },
    { key: 'R', name: 'stationR', role: 'station', doc: 'receiving station (upper-case form)' },
    { key: 'b', name: 'base', role: 'station', doc: 'base station (the short b-form)' },
    { key: 'B', name: 'baseB', role: 'station', doc: 'base station (upper-case form)' },
    { key: 'D', name: 'district', role: 'station', doc: 'station of a district logger' },
  ] as readonly NaisKey[],
  /** Characters of a field value: letters, digits and these. */
  valueExtra: '-._+',
  /**
   * The logger's unix time (digits, optional fraction; seconds, or ms above 1e11) comes last: anything after it is
   * ignored. A line may have metrics only (the short form), a station and a time (the b-form), or all of them.
   */
  time: 'last',
  forms: {
    long: ['s', 'd', 'T', 'x', 'r', 'time'],
    short: ['s', 'd', 'T'],
    b: ['b', 'time'],
  },
} as const;

/**
 * Receive times written before the sentence (or tag block): a unix time (`minDigits` digits or more, optional
 * fraction), or an ISO-8601 time (`2008-08-12T00:00:00Z`, `2008-08-12 00:00:00`, with fraction and `Z` or `±hh[:]mm`,
 * optionally in square brackets), each followed by one of `separators` (a bracket needs none) and blanks. A plain unix
 * time may also follow the checksum (`…*hh,1276256771`, then `minDigits` digits too).
 */
export const TIME_PREFIX = {
  unix: { minDigits: 9, fractionDigits: 6 },
  iso: { dateTime: ['T', ' '], bracket: ['[', ']'] },
  separators: ' \t,;',
  blanks: ' \t',
  /** Values above this are already milliseconds. */
  msAbove: 1e11,
} as const;
