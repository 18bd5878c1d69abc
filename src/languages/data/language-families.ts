/**
 * The family of each curated language, by ISO 639-3 code (an administrator's variant takes its code's family),
 * so the caller's page can draw one picture per family (never a flag). Sources: Glottolog 5.0 (Hammarström,
 * Forkel, Haspelmath, Bank: https://glottolog.org) for the top-level family of every code, and, for Mexico,
 * INALI's Catálogo de las Lenguas Indígenas Nacionales (2008), whose eleven families agree with it. A language
 * alone in its family (an isolate such as Purépecha or Seri) is its own family here, as in both sources.
 * Belize Kriol and Haitian Creole are creoles; Michif is a mixed language (Cree and French).
 */
export const LANGUAGE_FAMILIES = {
  mayan: ['acr', 'knj', 'agu', 'caa', 'cac', 'itz', 'ixl', 'jac', 'cak', 'quc', 'mam', 'mop', 'poc', 'poh', 'kjb', 'kek', 'quv', 'qum', 'ttc', 'tzj', 'usp', 'tzo', 'tzh', 'yua', 'ctu', 'toj', 'chf', 'hus', 'lac'],
  'oto-manguean': [
    'mxv', 'mim', 'mks', 'vmc', 'jmx', 'mig', 'mjc', 'mpm', 'mio', 'mxt', 'xtn', 'mix',
    'zap', 'zai', 'zaw', 'zab', 'zac', 'zpc', 'zpq',
    'mau', 'maj', 'vmp', 'ote', 'otm', 'ots', 'otq', 'maz', 'mmc', 'tcf', 'tpx', 'tpl', 'trc', 'trs', 'trq', 'amu', 'ctp', 'chj', 'cpa',
  ],
  'uto-aztecan': ['ppl', 'nhe', 'nhw', 'nch', 'ngu', 'nhn', 'azz', 'nhi', 'ncj', 'nsu', 'npl', 'nlv', 'nhy', 'nhx', 'tar', 'mfy', 'yaq', 'stp', 'hch', 'crn', 'ood', 'hop'],
  chibchan: ['pay', 'rma', 'bzd', 'cjp', 'gut', 'brn', 'tfr', 'gym', 'sab', 'cuk', 'kvn'],
  misumalpan: ['miq', 'yan', 'ulw'],
  arawakan: ['cab'],
  chocoan: ['emp', 'noa'],
  'mixe-zoque': ['mxp', 'neq', 'mto', 'mir', 'mco', 'mxq', 'zos', 'poi'],
  totonacan: ['top', 'tos', 'toc'],
  tarascan: ['tsz'],
  seri: ['sei'],
  huavean: ['huv'],
  xincan: ['xin'],
  lencan: ['len'],
  jicaquean: ['jic'],
  algonquian: ['cre', 'crk', 'csw', 'cwd', 'crj', 'oji', 'ojs', 'moe', 'atj', 'mic', 'bla', 'kic'],
  'eskimo-aleut': ['iku', 'ike', 'esu'],
  athabaskan: ['chp', 'nav', 'apw'],
  iroquoian: ['moh', 'chr'],
  siouan: ['dak', 'lkt'],
  muskogean: ['cho'],
  'indo-european': ['spa', 'eng', 'fra'],
  creole: ['bzj', 'hat'],
  mixed: ['crg'],
} as const satisfies Record<string, readonly string[]>;

export type LanguageFamily = keyof typeof LANGUAGE_FAMILIES;
export const FAMILY_NAMES = Object.keys(LANGUAGE_FAMILIES) as LanguageFamily[];

const BY_CODE = new Map<string, LanguageFamily>(FAMILY_NAMES.flatMap((f) => LANGUAGE_FAMILIES[f].map((code) => [code, f] as const)));

/** The family of an ISO 639-3 code of the curated catalogue; null for the rest of ISO 639-3. */
export function familyOf(iso6393: string): LanguageFamily | null {
  return BY_CODE.get(iso6393) ?? null;
}
