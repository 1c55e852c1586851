import { foldText } from './normalise.js';
import { loadTerritories } from './rigour.js';

/**
 * Country names in any language → ISO 3166-1 alpha-2 (lower case), from rigour's territory records
 * ("Democratic People's Republic of Korea", "DPRK", "КНДР", "조선민주주의인민공화국", "prk", "kp" → "kp").
 * Lists write countries as names, codes or adjectives; qualifiers compare these codes.
 */

let byName: Map<string, string> | undefined;

function index(): Map<string, string> {
  if (byName) return byName;
  byName = new Map();
  // Countries first, so a name shared with a region resolves to the country.
  const territories = [...loadTerritories()].sort((a, b) => Number(b.isCountry) - Number(a.isCountry));
  for (const t of territories) {
    const code = t.code.includes('-') ? t.code : t.code.toLowerCase();
    for (const name of t.names) {
      const key = foldText(name);
      if (key !== '' && !byName.has(key)) byName.set(key, code);
    }
  }
  // Spellings lists use that rigour files under other forms.
  const extra: Record<string, string> = {
    'korea north': 'kp',
    'north korea': 'kp',
    'korea democratic peoples republic of': 'kp',
    'democratic peoples republic of korea': 'kp',
    'korea south': 'kr',
    'korea republic of': 'kr',
    'republic of korea': 'kr',
    'north korean': 'kp',
    'russian federation': 'ru',
    'iran islamic republic of': 'ir',
    'syrian arab republic': 'sy',
    'united states': 'us',
    usa: 'us',
    uk: 'gb',
  };
  for (const [k, v] of Object.entries(extra)) if (!byName.has(k)) byName.set(k, v);
  return byName;
}

/** The ISO code for a country name or code, or undefined when unknown. */
export function countryCode(value: string): string | undefined {
  const key = foldText(value);
  if (key === '') return undefined;
  return index().get(key);
}
