import { describe, expect, it } from 'vitest';
import {
  chainOf,
  imoCheckDigitValid,
  mmsiMid,
  normaliseCryptoAddress,
  normaliseDocumentNumber,
  normaliseImo,
  normaliseMmsi,
} from '../../src/screening/identifiers.js';

describe('identifiers', () => {
  it('validates IMO check digits (real OFAC vessels: CHONG CHON GANG 7937317, AM NOK GANG 8132835)', () => {
    expect(imoCheckDigitValid('7937317')).toBe(true);
    expect(imoCheckDigitValid('8132835')).toBe(true);
    expect(imoCheckDigitValid('7944683')).toBe(true);
    expect(imoCheckDigitValid('7937318')).toBe(false);
    expect(normaliseImo('IMO7937317')).toBe('7937317');
    expect(normaliseImo('IMO 7937317')).toBe('7937317');
    expect(normaliseImo('7937310')).toBeUndefined();
    expect(normaliseImo('12345')).toBeUndefined();
  });

  it('checks MMSI shape and reads the MID (445 = DPRK)', () => {
    expect(normaliseMmsi('445 123 456')).toBe('445123456');
    expect(mmsiMid('445123456')).toBe('445');
    expect(normaliseMmsi('12345')).toBeUndefined();
  });

  it('normalises document numbers', () => {
    expect(normaliseDocumentNumber(' 381310014')).toBe('381310014');
    expect(normaliseDocumentNumber('No. 745-310-010')).toBe('745310010');
  });

  it('normalises crypto addresses per chain', () => {
    const eth = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96';
    expect(chainOf(eth)).toBe('ethereum');
    expect(normaliseCryptoAddress(eth)).toBe(eth.toLowerCase());
    expect(normaliseCryptoAddress(eth.toLowerCase())).toBe(eth.toLowerCase());
    expect(normaliseCryptoAddress('BC1QA5WKGAEW2DKV56KFVJ49J0AV5NML45X9EK9HZ6')).toBe(
      'bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6',
    );
    // Base58 is case-sensitive: kept as written.
    expect(normaliseCryptoAddress('12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h', 'XBT')).toBe(
      '12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h',
    );
    expect(chainOf('12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h')).toBe('bitcoin');
    expect(normaliseCryptoAddress('short')).toBeUndefined();
  });
});
