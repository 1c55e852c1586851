import { describe, expect, it } from 'vitest';
import { ofacDate, parseRemarks, splitRemarks } from '../../src/ingest/ofac-remarks.js';

describe('OFAC remarks facts', () => {
  it('splits at "; " but keeps quoted aliases whole, apostrophes and semicolons included', () => {
    expect(splitRemarks("DOB 1951 to 1953; a.k.a. 'ABU-'UMAR'; a.k.a. 'SEMI; COLON'; Linked To: AL-QA'IDA.")).toEqual([
      'DOB 1951 to 1953',
      "a.k.a. 'ABU-'UMAR'",
      "a.k.a. 'SEMI; COLON'",
      "Linked To: AL-QA'IDA",
    ]);
  });

  it('reads OFAC dates', () => {
    expect(ofacDate('07 Jan 1930')).toBe('1930-01-07');
    expect(ofacDate('Jun 1964')).toBe('1964-06');
    expect(ofacDate('1964')).toBe('1964');
    expect(ofacDate('sometime')).toBeUndefined();
  });

  it('parses the real remarks of SDN 25308 (YAN, Xiaobing)', () => {
    const facts = parseRemarks(
      'DOB 25 Mar 1977; POB Wuhan City, Hubei, China; citizen China; Gender Male; Digital Currency Address - XBT ' +
        '12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h; alt. Digital Currency Address - XBT 1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo; ' +
        "Chinese Commercial Code 7346 2556 0365; Citizen's Card Number 421002197703250019 (China); a.k.a. 'ZHOU, William'; " +
        "a.k.a. 'YAN, Steven'.",
    );
    expect(facts).toEqual([
      { kind: 'birthDate', value: '1977-03-25', circa: false },
      { kind: 'prop', prop: 'birthPlace', value: 'Wuhan City, Hubei, China', label: 'POB' },
      { kind: 'country', prop: 'citizenship', value: 'China', label: 'citizen' },
      { kind: 'prop', prop: 'gender', value: 'male', label: 'Gender' },
      { kind: 'wallet', currency: 'XBT', address: '12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h' },
      { kind: 'wallet', currency: 'XBT', address: '1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo' },
      { kind: 'identifier', prop: 'idNumber', label: 'Chinese Commercial Code', value: '7346 2556 0365' },
      {
        kind: 'identifier',
        prop: 'idNumber',
        label: "Citizen's Card Number",
        value: '421002197703250019',
        country: 'China',
      },
      { kind: 'alias', quality: 'aka', value: 'ZHOU, William' },
      { kind: 'alias', quality: 'aka', value: 'YAN, Steven' },
    ]);
  });

  it('parses vessel, passport, provision and leaves unknown text as unparsed', () => {
    const facts = parseRemarks(
      'Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210; Vessel Registration ' +
        'Identification IMO 7937317; MMSI 445123000; Passport 381420754 issued 07 Dec 2011 expires 07 Dec 2016; ' +
        'alt. DOB circa 1946; Member of the State Duma.',
    );
    expect(facts).toEqual([
      {
        kind: 'provision',
        value: 'Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210',
      },
      { kind: 'imo', value: 'IMO7937317', label: 'Vessel Registration Identification' },
      { kind: 'prop', prop: 'mmsi', value: '445123000', label: 'MMSI' },
      { kind: 'passport', value: '381420754', details: 'issued 07 Dec 2011 expires 07 Dec 2016' },
      { kind: 'birthDate', value: '1946', circa: true },
      { kind: 'unparsed', value: 'Member of the State Duma' },
    ]);
  });
});
