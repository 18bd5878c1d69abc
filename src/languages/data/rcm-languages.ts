import type { CountryCode } from '../../common/countries';

/**
 * A curated catalogue entry. `name` defaults to the ISO 639-3 reference name of the code. `autonym` is given
 * only where it is reliably known (the name as its speakers' own institutions write it), else null.
 * `countries` are the RCM member states where the language is traditionally spoken (its territory, or for
 * Guatemalan Mayan languages in Mexico the communities INALI catalogues): migrants speak them far beyond
 * these, so a caller's country must never be used to hide a language from her.
 * `otherNames` are exonyms and older spellings, used for search only.
 */
export interface CuratedLanguage {
  iso6393: string;
  /** Only variants that an institution documents (here: ALMG); administrators add the rest. */
  variant?: string;
  name?: string;
  autonym: string | null;
  countries: CountryCode[];
  isRelay?: boolean;
  otherNames?: string[];
}

/** The 22 Mayan languages recognised by the Academia de Lenguas Mayas de Guatemala (ALMG), in ALMG spelling. */
const GUATEMALA_MAYAN: CuratedLanguage[] = [
  { iso6393: 'acr', name: 'Achi', autonym: 'Achi', countries: ['GT'] },
  { iso6393: 'knj', name: 'Akateko', autonym: 'Akateko', countries: ['GT', 'MX'], otherNames: ['Akatek'] },
  { iso6393: 'agu', name: 'Awakateko', autonym: 'Awakateko', countries: ['GT', 'MX'], otherNames: ['Awakatek'] },
  // ALMG counts Chalchiteko as its own language; ISO 639-3 (and Ethnologue) file it under Awakateko.
  { iso6393: 'agu', variant: 'chalchiteko', name: 'Chalchiteko', autonym: 'Chalchiteko', countries: ['GT'], otherNames: ['Chalchitec'] },
  { iso6393: 'caa', name: "Ch'orti'", autonym: "Ch'orti'", countries: ['GT', 'HN'] },
  { iso6393: 'cac', name: 'Chuj', autonym: 'Chuj', countries: ['GT', 'MX'] },
  { iso6393: 'itz', name: "Itza'", autonym: "Itza'", countries: ['GT'] },
  { iso6393: 'ixl', name: 'Ixil', autonym: 'Ixil', countries: ['GT', 'MX'] },
  { iso6393: 'jac', name: "Popti' (Jakalteko)", autonym: "Popti'", countries: ['GT', 'MX'], otherNames: ['Jakalteko', 'Jacaltec'] },
  { iso6393: 'cak', name: 'Kaqchikel', autonym: 'Kaqchikel', countries: ['GT', 'MX'], otherNames: ['Cakchiquel'] },
  { iso6393: 'quc', name: "K'iche'", autonym: "K'iche'", countries: ['GT', 'MX'], otherNames: ['Quiché'] },
  { iso6393: 'mam', name: 'Mam', autonym: 'Mam', countries: ['GT', 'MX'] },
  { iso6393: 'mop', name: 'Mopan', autonym: 'Mopan', countries: ['GT', 'BZ'] },
  { iso6393: 'poc', name: 'Poqomam', autonym: 'Poqomam', countries: ['GT'], otherNames: ['Pokomam'] },
  { iso6393: 'poh', name: "Poqomchi'", autonym: "Poqomchi'", countries: ['GT'], otherNames: ['Pokomchi'] },
  { iso6393: 'kjb', name: "Q'anjob'al", autonym: "Q'anjob'al", countries: ['GT', 'MX'], otherNames: ['Kanjobal'] },
  { iso6393: 'kek', name: "Q'eqchi'", autonym: "Q'eqchi'", countries: ['GT', 'BZ', 'MX'], otherNames: ['Kekchi'] },
  { iso6393: 'quv', name: 'Sakapulteko', autonym: 'Sakapulteko', countries: ['GT'] },
  { iso6393: 'qum', name: 'Sipakapense', autonym: 'Sipakapense', countries: ['GT'] },
  { iso6393: 'ttc', name: 'Tektiteko', autonym: 'Tektiteko', countries: ['GT', 'MX'], otherNames: ['Teko'] },
  { iso6393: 'tzj', name: "Tz'utujil", autonym: "Tz'utujil", countries: ['GT'] },
  { iso6393: 'usp', name: 'Uspanteko', autonym: 'Uspanteko', countries: ['GT'] },
];

/** Other languages of Guatemala and of Central America. */
const CENTRAL_AMERICA: CuratedLanguage[] = [
  // ISO 639-3 marks Xinka and Lenca extinct; both have revitalisation programmes and named communities.
  { iso6393: 'xin', name: 'Xinka', autonym: null, countries: ['GT'] },
  { iso6393: 'cab', name: 'Garífuna', autonym: 'Garifuna', countries: ['BZ', 'GT', 'HN', 'NI'] },
  { iso6393: 'bzj', name: 'Belize Kriol', autonym: 'Kriol', countries: ['BZ'] },
  { iso6393: 'ppl', name: 'Nawat', autonym: 'Nawat', countries: ['SV'], otherNames: ['Náhuat'] },
  { iso6393: 'len', name: 'Lenca', autonym: null, countries: ['HN', 'SV'] },
  { iso6393: 'pay', name: 'Pech', autonym: 'Pech', countries: ['HN'], otherNames: ['Paya'] },
  { iso6393: 'jic', name: 'Tol', autonym: 'Tol', countries: ['HN'], otherNames: ['Tolupan', 'Jicaque'] },
  { iso6393: 'miq', name: 'Miskito', autonym: 'Miskitu', countries: ['HN', 'NI'] },
  { iso6393: 'yan', name: 'Mayangna', autonym: 'Mayangna', countries: ['NI', 'HN'], otherNames: ['Sumo', 'Sumu', 'Tawahka'] },
  { iso6393: 'ulw', name: 'Ulwa', autonym: null, countries: ['NI'], otherNames: ['Sumo', 'Sumu'] },
  { iso6393: 'rma', autonym: null, countries: ['NI'] },
  { iso6393: 'bzd', autonym: null, countries: ['CR', 'PA'] },
  { iso6393: 'cjp', autonym: null, countries: ['CR'] },
  { iso6393: 'gut', name: 'Maleku', autonym: 'Maléku Jaíka', countries: ['CR'], otherNames: ['Guatuso'] },
  { iso6393: 'brn', name: 'Boruca', autonym: null, countries: ['CR'], otherNames: ['Brunca'] },
  { iso6393: 'tfr', name: 'Naso (Teribe)', autonym: null, countries: ['PA', 'CR'], otherNames: ['Térraba'] },
  { iso6393: 'gym', name: 'Ngäbere', autonym: 'Ngäbere', countries: ['PA', 'CR'], otherNames: ['Guaymí', 'Ngäbe'] },
  { iso6393: 'sab', name: 'Buglere', autonym: 'Buglere', countries: ['PA'], otherNames: ['Bokota'] },
  { iso6393: 'emp', name: 'Emberá', autonym: null, countries: ['PA'], otherNames: ['Embera'] },
  { iso6393: 'noa', name: 'Wounaan', autonym: 'Woun Meu', countries: ['PA'] },
  { iso6393: 'cuk', name: 'Guna (San Blas Kuna)', autonym: 'Dulegaya', countries: ['PA'], otherNames: ['Kuna', 'Guna Yala'] },
  { iso6393: 'kvn', name: 'Guna (Border Kuna)', autonym: null, countries: ['PA'], otherNames: ['Kuna'] },
];

/**
 * Mexico: the languages with the most speakers in INALI's catalogue. Mixtec has no ISO 639-3 macrolanguage
 * code (`mix` is Mixtepec Mixtec only), so its languages are listed by their own codes; Zapotec has one (`zap`).
 */
const MEXICO: CuratedLanguage[] = [
  { iso6393: 'nhe', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'nhw', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'nch', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'ngu', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'nhn', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'azz', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'nhi', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'ncj', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'nsu', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'npl', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'nlv', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'nhy', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'nhx', autonym: null, countries: ['MX'], otherNames: ['Náhuatl', 'Mexicano'] },
  { iso6393: 'mxv', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'mim', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'mks', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'vmc', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'jmx', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'mig', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'mjc', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'mpm', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'mio', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'mxt', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'xtn', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'mix', autonym: null, countries: ['MX'], otherNames: ['Mixteco', "Tu'un savi"] },
  { iso6393: 'zap', autonym: null, countries: ['MX'], otherNames: ['Zapoteco'] },
  { iso6393: 'zai', autonym: 'Diidxazá', countries: ['MX'], otherNames: ['Zapoteco'] },
  { iso6393: 'zaw', autonym: null, countries: ['MX'], otherNames: ['Zapoteco'] },
  { iso6393: 'zab', autonym: null, countries: ['MX'], otherNames: ['Zapoteco'] },
  { iso6393: 'zac', autonym: null, countries: ['MX'], otherNames: ['Zapoteco'] },
  { iso6393: 'zpc', autonym: null, countries: ['MX'], otherNames: ['Zapoteco'] },
  { iso6393: 'zpq', autonym: null, countries: ['MX'], otherNames: ['Zapoteco'] },
  { iso6393: 'tzo', name: 'Tsotsil', autonym: "Bats'i k'op", countries: ['MX'], otherNames: ['Tzotzil'] },
  { iso6393: 'tzh', name: 'Tseltal', autonym: "Bats'il k'op", countries: ['MX'], otherNames: ['Tzeltal'] },
  { iso6393: 'yua', name: 'Yucatec Maya', autonym: "Maaya t'aan", countries: ['MX', 'BZ'], otherNames: ['Maya', 'Yucateco'] },
  { iso6393: 'ctu', name: "Ch'ol", autonym: null, countries: ['MX'], otherNames: ['Chol'] },
  { iso6393: 'toj', autonym: null, countries: ['MX'] },
  { iso6393: 'chf', name: 'Chontal of Tabasco', autonym: null, countries: ['MX'], otherNames: ['Yokot'] },
  { iso6393: 'hus', name: 'Huastec (Teenek)', autonym: null, countries: ['MX'], otherNames: ['Tenek', 'Huasteco'] },
  { iso6393: 'lac', name: 'Lacandón', autonym: null, countries: ['MX'] },
  { iso6393: 'mau', autonym: null, countries: ['MX'], otherNames: ['Mazateco'] },
  { iso6393: 'maj', autonym: null, countries: ['MX'], otherNames: ['Mazateco'] },
  { iso6393: 'vmp', autonym: null, countries: ['MX'], otherNames: ['Mazateco'] },
  { iso6393: 'ote', autonym: 'Hñähñu', countries: ['MX'], otherNames: ['Otomí'] },
  { iso6393: 'otm', autonym: null, countries: ['MX'], otherNames: ['Otomí'] },
  { iso6393: 'ots', autonym: null, countries: ['MX'], otherNames: ['Otomí'] },
  { iso6393: 'otq', autonym: null, countries: ['MX'], otherNames: ['Otomí'] },
  { iso6393: 'top', autonym: null, countries: ['MX'], otherNames: ['Totonaco'] },
  { iso6393: 'tos', autonym: null, countries: ['MX'], otherNames: ['Totonaco'] },
  { iso6393: 'toc', autonym: null, countries: ['MX'], otherNames: ['Totonaco'] },
  { iso6393: 'maz', autonym: null, countries: ['MX'], otherNames: ['Mazahua'] },
  { iso6393: 'mmc', autonym: null, countries: ['MX'], otherNames: ['Mazahua'] },
  { iso6393: 'mxp', autonym: 'Ayuujk', countries: ['MX'], otherNames: ['Mixe'] },
  { iso6393: 'neq', autonym: null, countries: ['MX'], otherNames: ['Mixe', 'Ayuujk'] },
  { iso6393: 'mto', autonym: null, countries: ['MX'], otherNames: ['Mixe', 'Ayuujk'] },
  { iso6393: 'mir', autonym: null, countries: ['MX'], otherNames: ['Mixe', 'Ayuujk'] },
  { iso6393: 'mco', autonym: null, countries: ['MX'], otherNames: ['Mixe', 'Ayuujk'] },
  { iso6393: 'mxq', autonym: null, countries: ['MX'], otherNames: ['Mixe', 'Ayuujk'] },
  { iso6393: 'tcf', autonym: "Me'phaa", countries: ['MX'], otherNames: ['Tlapaneco', 'Tlapanec'] },
  { iso6393: 'tpx', autonym: "Me'phaa", countries: ['MX'], otherNames: ['Tlapaneco', 'Tlapanec'] },
  { iso6393: 'tpl', autonym: "Me'phaa", countries: ['MX'], otherNames: ['Tlapaneco', 'Tlapanec'] },
  { iso6393: 'trc', autonym: null, countries: ['MX'], otherNames: ['Triqui', 'Trique'] },
  { iso6393: 'trs', autonym: null, countries: ['MX'], otherNames: ['Triqui', 'Trique'] },
  { iso6393: 'trq', autonym: null, countries: ['MX'], otherNames: ['Triqui', 'Trique'] },
  { iso6393: 'tsz', name: 'Purépecha', autonym: "P'urhépecha", countries: ['MX'], otherNames: ['Tarasco'] },
  { iso6393: 'tar', autonym: null, countries: ['MX'], otherNames: ['Rarámuri'] },
  { iso6393: 'mfy', autonym: null, countries: ['MX'], otherNames: ['Yoreme'] },
  { iso6393: 'yaq', autonym: null, countries: ['MX', 'US'], otherNames: ['Yoeme', 'Hiaki'] },
  { iso6393: 'stp', autonym: null, countries: ['MX'], otherNames: ['Tepehuano'] },
  { iso6393: 'hch', autonym: 'Wixárika', countries: ['MX'], otherNames: ['Huichol'] },
  { iso6393: 'crn', autonym: null, countries: ['MX'], otherNames: ['Cora', 'Náayeri'] },
  { iso6393: 'sei', autonym: 'Cmiique iitom', countries: ['MX'], otherNames: ['Comcaac'] },
  { iso6393: 'amu', autonym: null, countries: ['MX'], otherNames: ['Amuzgo'] },
  { iso6393: 'ctp', autonym: null, countries: ['MX'], otherNames: ['Chatino'] },
  { iso6393: 'chj', autonym: null, countries: ['MX'], otherNames: ['Chinanteco'] },
  { iso6393: 'cpa', autonym: null, countries: ['MX'], otherNames: ['Chinanteco'] },
  { iso6393: 'zos', autonym: null, countries: ['MX'], otherNames: ['Zoque'] },
  { iso6393: 'poi', autonym: null, countries: ['MX'], otherNames: ['Popoluca'] },
  { iso6393: 'huv', autonym: null, countries: ['MX'], otherNames: ['Huave', 'Ikoots'] },
];

/** Canada and the United States. */
const NORTH_AMERICA: CuratedLanguage[] = [
  { iso6393: 'cre', autonym: null, countries: ['CA', 'US'] },
  { iso6393: 'crk', autonym: 'nēhiyawēwin', countries: ['CA', 'US'] },
  { iso6393: 'csw', autonym: null, countries: ['CA'] },
  { iso6393: 'cwd', autonym: null, countries: ['CA'] },
  { iso6393: 'crj', autonym: null, countries: ['CA'] },
  { iso6393: 'iku', autonym: 'ᐃᓄᒃᑎᑐᑦ', countries: ['CA'], otherNames: ['Inuktitut'] },
  { iso6393: 'ike', autonym: 'ᐃᓄᒃᑎᑐᑦ', countries: ['CA'], otherNames: ['Inuktitut'] },
  { iso6393: 'oji', name: 'Ojibwe', autonym: 'Anishinaabemowin', countries: ['CA', 'US'], otherNames: ['Ojibwa', 'Chippewa'] },
  { iso6393: 'ojs', name: 'Oji-Cree', autonym: null, countries: ['CA'], otherNames: ['Severn Ojibwa'] },
  { iso6393: 'moe', autonym: 'Innu-aimun', countries: ['CA'], otherNames: ['Montagnais'] },
  { iso6393: 'atj', autonym: null, countries: ['CA'] },
  { iso6393: 'mic', name: "Mi'kmaq", autonym: "Mi'kmawi'simk", countries: ['CA', 'US'] },
  { iso6393: 'chp', name: 'Dene (Chipewyan)', autonym: null, countries: ['CA'] },
  { iso6393: 'bla', name: 'Blackfoot', autonym: null, countries: ['CA', 'US'], otherNames: ['Siksika'] },
  { iso6393: 'moh', autonym: "Kanien'kéha", countries: ['CA', 'US'] },
  { iso6393: 'dak', autonym: null, countries: ['US', 'CA'] },
  { iso6393: 'crg', autonym: 'Michif', countries: ['CA', 'US'] },
  { iso6393: 'nav', autonym: 'Diné bizaad', countries: ['US'] },
  { iso6393: 'ood', name: "O'odham", autonym: null, countries: ['US', 'MX'], otherNames: ['Tohono', 'Pima'] },
  { iso6393: 'chr', autonym: 'ᏣᎳᎩ', countries: ['US'] },
  { iso6393: 'lkt', autonym: 'Lakȟótiyapi', countries: ['US'] },
  { iso6393: 'apw', autonym: null, countries: ['US'], otherNames: ['Apache'] },
  { iso6393: 'hop', autonym: null, countries: ['US'] },
  { iso6393: 'cho', autonym: null, countries: ['US'] },
  { iso6393: 'esu', name: "Central Yup'ik", autonym: null, countries: ['US'], otherNames: ['Yupik'] },
  { iso6393: 'kic', autonym: null, countries: ['US', 'MX'] },
];

/** Languages interpreters relay into; a caller may need them too (e.g. Haitian Creole in the Dominican Republic). */
const RELAY: CuratedLanguage[] = [
  {
    iso6393: 'spa',
    autonym: 'español',
    countries: ['BZ', 'CR', 'DO', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'US'],
    isRelay: true,
    otherNames: ['Castellano'],
  },
  { iso6393: 'eng', autonym: 'English', countries: ['BZ', 'CA', 'US'], isRelay: true },
  { iso6393: 'fra', autonym: 'français', countries: ['CA'], isRelay: true },
  { iso6393: 'hat', name: 'Haitian Creole', autonym: 'Kreyòl ayisyen', countries: ['CA', 'DO', 'US'], isRelay: true },
];

export const RCM_LANGUAGES: readonly CuratedLanguage[] = [...GUATEMALA_MAYAN, ...CENTRAL_AMERICA, ...MEXICO, ...NORTH_AMERICA, ...RELAY];
