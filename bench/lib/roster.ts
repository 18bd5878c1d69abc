import { seeded } from './stats';

/** The RCM member states, matters and specialties of API.md (copied: the benchmark does not import src). */
export const COUNTRIES = ['BZ', 'CA', 'CR', 'DO', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'US'] as const;
const ENGLISH_SPEAKING: readonly string[] = ['US', 'BZ', 'CA'];
export const MATTERS = ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking'] as const;
const SPECIALTIES = [...MATTERS, 'children', 'asylum', 'health'] as const;
const COLUMNS =
  'external_id,first_name,email,languages,relay_languages,specialties,certification_body,certification_number,certification_expires,gender,status';
const FIRST_NAMES = ['Ana', 'Rosa', 'María', 'Juana', 'Lucía', 'Elena', 'Tomasa', 'Catarina', 'Pedro', 'Juan', 'Marta', 'Isabel'];

export interface Variant {
  id: string;
  /** The roster file's key: iso6393 or iso6393/variant. */
  key: string;
  countries: string[];
}

/**
 * `n` language rows of the catalogue, taken round-robin over the countries that speak them, so that every
 * country whose languages the catalogue knows contributes some.
 */
export function chooseVariants(rows: { id: string; iso6393: string; variant: string | null; countries: string[] }[], n: number): Variant[] {
  const all = rows.map((r) => ({ id: r.id, key: r.variant ? `${r.iso6393}/${r.variant}` : r.iso6393, countries: r.countries }));
  const byCountry = COUNTRIES.map((c) => all.filter((v) => v.countries.includes(c)));
  const chosen = new Map<string, Variant>();
  for (let round = 0; chosen.size < n && round < all.length; round++) {
    for (const list of byCountry) {
      const v = list[round];
      if (v && chosen.size < n) chosen.set(v.id, v);
    }
  }
  return [...chosen.values()];
}

export interface Roster {
  /** CSV text per country, for the import API. */
  files: Map<string, string>;
  size: number;
}

/**
 * A synthetic roster: interpreter i interprets variant i mod n (every variant gets the same share), a third
 * of them a second one, each into Spanish (relay language); most belong to a roster of a country where the
 * variant is spoken, the rest to any (migrant communities). Specialties, levels and gender are drawn from a fixed
 * seed. `relay` more interpret Spanish into English, spread over every country: a relay chain's second leg for a
 * call into English (`callerDraws`' relay share). Without them (every call a whole call: issue 13's measure), those
 * rostered in the United States, Belize and Canada interpret into English too, as they would there: a caller there
 * is interpreted into English by default, which would otherwise go uncovered and cost each of her requests a second
 * dispatch that plans no chain (BENCHMARKS.md, stop 25).
 */
export function makeRoster(variants: Variant[], size: number, seed = 42, relay = 0): Roster {
  const rng = seeded(seed);
  const rows = new Map<string, string[]>(COUNTRIES.map((c) => [c, []]));
  for (let i = 0; i < size; i++) {
    const v = variants[i % variants.length];
    const country = v.countries.length && rng.next() < 0.8 ? rng.pick(v.countries) : rng.pick(COUNTRIES);
    const langs = [`${v.key}:${3 + rng.int(3)}`];
    if (rng.next() < 0.33) {
      const other = rng.pick(variants);
      if (other.key !== v.key) langs.push(`${other.key}:${2 + rng.int(4)}`);
    }
    const specialties = SPECIALTIES.filter(() => rng.next() < 0.45);
    const gender = rng.next() < 0.7 ? 'female' : rng.next() < 0.9 ? 'male' : '';
    const id = `B${String(i).padStart(5, '0')}`;
    rows
      .get(country)!
      .push(
        [
          id,
          rng.pick(FIRST_NAMES),
          `${id.toLowerCase()}@bench.puente.example`,
          langs.join(';'),
          relay === 0 && ENGLISH_SPEAKING.includes(country) ? 'spa;eng' : 'spa',
          specialties.join(';'),
          'Bench',
          `N${i}`,
          '2030-12-31',
          gender,
          'active',
        ].join(','),
      );
  }
  for (let i = 0; i < relay; i++) {
    const id = `R${String(i).padStart(5, '0')}`;
    const specialties = SPECIALTIES.filter(() => rng.next() < 0.45);
    rows
      .get(COUNTRIES[i % COUNTRIES.length])!
      .push(
        [
          id,
          rng.pick(FIRST_NAMES),
          `${id.toLowerCase()}@bench.puente.example`,
          'spa:5',
          'eng:5',
          specialties.join(';'),
          'Bench',
          `R${i}`,
          '2030-12-31',
          'female',
          'active',
        ].join(','),
      );
  }
  const files = new Map<string, string>();
  for (const [c, r] of rows) if (r.length) files.set(c, `${COLUMNS}\n${r.join('\n')}\n`);
  return { files, size: size + relay };
}

export type Urgency = 'normal' | 'urgent' | 'emergency';

export interface CallerDraw {
  languageId: string;
  matter: string;
  urgency: Urgency;
  minor: boolean;
  preferFemale: boolean;
  country: string;
  /** What the other side speaks (sent only when the benchmark mixes in relay calls). */
  targetLanguageId?: string;
}

/** A share of the calls into English, which nobody of the variants' interpreters covers (a relay chain); the rest into Spanish. */
export interface RelayMix {
  share: number;
  english: string;
  spanish: string;
}

/**
 * What a caller asks for: a variant, mostly from a country where it is spoken; a realistic mix of urgencies; with
 * `relay`, a target: English for its share (a relay chain), else Spanish.
 */
export function callerDraws(variants: Variant[], seed: number, relay?: RelayMix) {
  const rng = seeded(seed);
  return (): CallerDraw => {
    const v = rng.pick(variants);
    const u = rng.next();
    return {
      ...(relay && { targetLanguageId: rng.next() < relay.share ? relay.english : relay.spanish }),
      languageId: v.id,
      matter: rng.pick(MATTERS),
      urgency: u < 0.8 ? 'normal' : u < 0.95 ? 'urgent' : 'emergency',
      minor: rng.next() < 0.1,
      preferFemale: rng.next() < 0.2,
      country: v.countries.length && rng.next() < 0.7 ? rng.pick(v.countries) : rng.pick(COUNTRIES),
    };
  };
}
