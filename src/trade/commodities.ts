/**
 * Commodity keywords in goods descriptions, each with the HS codes (chapter or heading) it implies. Used when a
 * record has no HS code, or when the declared code contradicts the words ("anthracite" declared as 2530). A
 * keyword's codes are prefixes: a declared code agrees with the description when one of them is its prefix (or
 * the declared code is a prefix of one: a chapter-level declaration of 27 agrees with coal 2701).
 */

export interface Commodity {
  /** What the words name ("coal"). */
  label: string;
  /** HS prefixes it implies. */
  codes: string[];
  /** Lower-case whole-word patterns. */
  pattern: RegExp;
}

const TEXTILE_CHAPTERS = Array.from({ length: 14 }, (_, i) => String(50 + i));

function c(label: string, codes: string[], words: string[]): Commodity {
  return { label, codes, pattern: new RegExp(`\\b(?:${words.join('|')})\\b`, 'i') };
}

export const COMMODITIES: readonly Commodity[] = [
  c('coal', ['2701'], ['coal', 'anthracite', 'coking coal', 'bituminous', 'steam coal', 'thermal coal']),
  c('lignite', ['2702'], ['lignite', 'brown coal']),
  c('coke', ['2704'], ['coke', 'semi-coke']),
  c('iron ore', ['2601'], ['iron ore', 'iron ores', 'iron concentrates?', 'magnetite', 'hematite', 'pellet feed']),
  c(
    'refined petroleum',
    ['2710'],
    [
      'diesel',
      'gasoil',
      'gas oil',
      'gasoline',
      'petrol',
      'kerosene',
      'jet fuel',
      'fuel oil',
      'naphtha',
      'refined petroleum',
      'mazut',
      'bunker fuel',
    ],
  ),
  c('crude oil', ['2709'], ['crude oil', 'crude petroleum', 'condensate']),
  c(
    'seafood',
    ['03', '1603', '1604', '1605'],
    [
      'fish',
      'seafood',
      'crabs?',
      'shrimps?',
      'prawns?',
      'squid',
      'octopus',
      'clams?',
      'lobsters?',
      'oysters?',
      'sea cucumbers?',
      'scallops?',
      'molluscs?',
      'crustaceans?',
    ],
  ),
  c('textiles', TEXTILE_CHAPTERS, [
    'textiles?',
    'garments?',
    'apparel',
    'clothing',
    'fabrics?',
    'yarn',
    'knitwear',
    'jackets?',
    'trousers',
    'shirts?',
    'sweaters?',
    'suits',
  ]),
  c('iron and steel', ['72', '73'], ['steel', 'pig iron', 'rebar', 'iron bars?', 'steel pipes?', 'steel plates?']),
  c(
    'machinery',
    ['84'],
    [
      'machinery',
      'machines?',
      'excavators?',
      'bulldozers?',
      'engines?',
      'pumps?',
      'cranes?',
      'lathes?',
      'turbines?',
      'generators?',
    ],
  ),
  c(
    'electrical equipment',
    ['85'],
    [
      'electrical equipment',
      'transformers?',
      'electric motors?',
      'batteries',
      'radios?',
      'transceivers?',
      'telephones?',
      'mobile phones?',
      'semiconductors?',
      'integrated circuits?',
    ],
  ),
  c(
    'vehicles',
    ['87'],
    [
      'vehicles?',
      'cars?',
      'automobiles?',
      'trucks?',
      'lorries',
      'lorry',
      'tractors?',
      'sedans?',
      'suvs?',
      'buses',
      'motorcycles?',
    ],
  ),
  c('vessels', ['89'], ['yachts?', 'boats?', 'fishing vessels?', 'tug ?boats?']),
  c('aircraft', ['88'], ['aircraft', 'helicopters?', 'drones?']),
  c(
    'arms and ammunition',
    ['93'],
    [
      'ammunition',
      'munitions?',
      'rifles?',
      'firearms?',
      'guns?',
      'missiles?',
      'rockets?',
      'grenades?',
      'artillery',
      'cartridges?',
      'explosives?',
    ],
  ),
  c('wood', ['44'], ['timber', 'logs', 'lumber', 'wood', 'sawn wood', 'plywood']),
  c('earth and stone', ['25'], ['magnesite', 'magnesia', 'sand', 'gravel', 'granite', 'marble', 'limestone']),
  c(
    'non-ferrous metals',
    ['74', '75', '76', '78', '79', '2603', '2604', '2607', '2608'],
    ['copper', 'nickel', 'aluminium', 'aluminum', 'lead', 'zinc'],
  ),
  c('gold and silver', ['7106', '7108', '261690', '261610'], ['gold', 'silver', 'bullion']),
  c('rare earths', ['2805', '2846'], ['rare earths?', 'rare-earths?']),
  c('statues', ['9703'], ['statues?', 'monuments?', 'sculptures?']),
  c(
    'luxury: jewellery and gems',
    ['7101', '7102', '7103', '7113', '7116'],
    ['jewellery', 'jewelry', 'diamonds?', 'pearls?', 'gemstones?', 'sapphires?', 'rubies', 'emeralds?'],
  ),
  c('luxury: watches', ['9101', '9102'], ['watches', 'wristwatches?']),
  c(
    'luxury: spirits and tobacco',
    ['2204', '2205', '2206', '2208', '2402'],
    ['whisky', 'whiskey', 'cognac', 'vodka', 'wine', 'liquor', 'spirits', 'cigars?', 'cigarettes?'],
  ),
];

/** The commodities a description names, in table order. */
export function commoditiesIn(description: string): Commodity[] {
  const out: Commodity[] = [];
  for (const k of COMMODITIES) if (k.pattern.test(description)) out.push(k);
  return out;
}

/** Does a declared HS code agree with a commodity's codes (prefix either way)? */
export function agrees(hs: string, k: Commodity): boolean {
  return k.codes.some((code) => hs.startsWith(code) || code.startsWith(hs));
}
