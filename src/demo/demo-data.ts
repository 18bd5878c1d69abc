import type { CreateServiceDto } from '../directory/dto/service-entry.dto';
import { COUNTRY_CODES } from '../common/countries';

/**
 * The demo roster: invented people (first names only, example.org addresses) in six national rosters,
 * loaded through the real CSV import. Nothing here is real data.
 */
const HEADER =
  'external_id,first_name,email,languages,relay_languages,specialties,certification_body,certification_number,certification_expires,gender,status';

export const DEMO_PASSWORD = 'Puente-Demo-2026';

/** A Mixtec variant as a roster administrator would add it (demo data, not an official catalogue entry). */
export const DEMO_VARIANT = {
  iso6393: 'mxt',
  variant: 'costa-demo',
  name: 'Mixtec of the Coast (demo variant)',
  autonym: null,
  countries: ['MX'],
};

export const DEMO_ROSTERS: Record<string, string> = {
  GT: [
    HEADER,
    'GT-001,Ana,ana.gt@example.org,mam:5;quc:3,spa,legal_criminal;violence;children,ALMG,GT-CERT-001,2028-06-30,female,active',
    'GT-002,Rosa,rosa.gt@example.org,quc:5;cak:4,spa,legal_civil;legal_labour;trafficking,ALMG,GT-CERT-002,2027-12-31,female,active',
    'GT-003,Marcos,marcos.gt@example.org,kek:5;poh:3,spa;eng,legal_criminal;asylum,ALMG,GT-CERT-003,2027-03-31,male,active',
    'GT-004,Elena,elena.gt@example.org,cak:5;tzj:4,spa,violence;children;health,ALMG,GT-CERT-004,2028-01-15,female,active',
    'GT-005,Tomás,tomas.gt@example.org,mam:4;agu/chalchiteko:3,spa,legal_labour,ALMG,GT-CERT-005,2026-12-31,male,active',
    'GT-006,Juana,juana.gt@example.org,cab:5,spa;eng,trafficking;violence,ALMG,GT-CERT-006,2027-08-31,female,active',
  ].join('\n'),
  MX: [
    HEADER,
    'MX-001,Lucía,lucia.mx@example.org,tzo:5;tzh:4,spa,legal_criminal;violence;children,INALI,PANITLI-0101,2028-05-31,female,active',
    'MX-002,Pedro,pedro.mx@example.org,tzh:5,spa,legal_civil;legal_labour,INALI,PANITLI-0102,2027-11-30,male,active',
    'MX-003,Carmen,carmen.mx@example.org,mxt/costa-demo:5;mxt:4,spa,violence;trafficking,INALI,PANITLI-0103,2028-02-28,female,active',
    'MX-004,Isabel,isabel.mx@example.org,zap:5,spa;eng,legal_criminal;asylum,INALI,PANITLI-0104,2027-06-30,female,active',
    'MX-005,Andrés,andres.mx@example.org,nhe:5;nch:3,spa,legal_labour;health,INALI,PANITLI-0105,2027-09-30,male,active',
  ].join('\n'),
  HN: [
    HEADER,
    'HN-001,Marta,marta.hn@example.org,cab:5;miq:3,spa;eng,violence;trafficking,SEDH,HN-0001,2027-10-31,female,active',
    'HN-002,José,jose.hn@example.org,miq:5,spa,legal_criminal,SEDH,HN-0002,2027-04-30,male,active',
  ].join('\n'),
  NI: [HEADER, 'NI-001,Sandra,sandra.ni@example.org,miq:5,spa;eng,violence;children,MINSA,NI-0001,2028-03-31,female,active'].join('\n'),
  PA: [
    HEADER,
    'PA-001,Eneida,eneida.pa@example.org,gym:5,spa,legal_criminal;violence;children,MIDES,PA-0001,2027-12-31,female,active',
    'PA-002,Abdiel,abdiel.pa@example.org,gym:4;sab:3,spa,legal_labour,MIDES,PA-0002,2027-07-31,male,active',
  ].join('\n'),
  US: [
    HEADER,
    'US-001,María,maria.us@example.org,mam:5,eng;spa,legal_criminal;asylum;violence,EOIR,US-0001,2028-09-30,female,active',
    'US-002,Daniel,daniel.us@example.org,quc:4;kek:3,eng;spa,asylum;legal_labour,EOIR,US-0002,2027-05-31,male,active',
    // A relay chain when María is taken: Mam into Spanish (Lorena), Spanish into English (Sarah).
    'US-003,Lorena,lorena.us@example.org,mam:5,spa,legal_civil;asylum;violence,EOIR,US-0003,2028-04-30,female,active',
    'US-004,Sarah,sarah.us@example.org,spa:5,eng:5,legal_civil;legal_criminal;asylum;violence,EOIR,US-0004,2028-08-31,female,active',
  ].join('\n'),
};

/**
 * Which rosters share with which countries (owner: borrowers). Guatemala's shares with every other member state,
 * so a caller who does not say where she is can still reach its interpreters (README, "How a woman is matched").
 */
export const DEMO_SHARING: Record<string, string[]> = {
  GT: COUNTRY_CODES.filter((c) => c !== 'GT'),
  MX: ['GT', 'US'],
  HN: ['GT', 'NI', 'SV'],
  NI: ['HN', 'CR'],
  PA: ['CR'],
  US: ['GT', 'MX'],
};

export interface DemoAccount {
  email: string;
  role: 'platform_admin' | 'roster_admin' | 'official' | 'interpreter';
  country?: string;
  /** For officials: her institution's name (a court, created by the demo if missing). */
  institution?: string;
  /** For interpreters: her roster entry, by country and external_id. */
  externalId?: string;
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { email: 'admin@demo.puente.example', role: 'platform_admin' },
  { email: 'roster.gt@demo.puente.example', role: 'roster_admin', country: 'GT' },
  { email: 'roster.mx@demo.puente.example', role: 'roster_admin', country: 'MX' },
  { email: 'official.gt@demo.puente.example', role: 'official', country: 'GT', institution: 'Juzgado de Paz, Quetzaltenango' },
  { email: 'official.us@demo.puente.example', role: 'official', country: 'US', institution: 'Immigration Court, Houston' },
  { email: 'interpreter.mam@demo.puente.example', role: 'interpreter', country: 'GT', externalId: 'GT-001' },
  { email: 'interpreter.tzo@demo.puente.example', role: 'interpreter', country: 'MX', externalId: 'MX-001' },
  { email: 'interpreter.maria@demo.puente.example', role: 'interpreter', country: 'US', externalId: 'US-001' },
  { email: 'interpreter.lorena@demo.puente.example', role: 'interpreter', country: 'US', externalId: 'US-003' },
  { email: 'interpreter.sarah@demo.puente.example', role: 'interpreter', country: 'US', externalId: 'US-004' },
];

/**
 * A few services in Guatemala's directory, so that "where help is" finds something on the demo. Made up: the names
 * say "demo" and the numbers are not real ones.
 */
export const DEMO_SERVICES: CreateServiceDto[] = [
  {
    name: 'Casa de la Mujer (demo)',
    kind: 'shelter',
    area: 'Quetzaltenango',
    phone: '+502 0000 0001',
    hours: '24 h',
    minors: true,
  },
  {
    name: 'Bufete Popular (demo)',
    kind: 'legal_aid',
    area: 'Quetzaltenango',
    phone: '+502 0000 0002',
    hours: 'Mon-Fri 8:00-16:00',
    minors: false,
  },
  { name: 'Centro de Salud (demo)', kind: 'health', area: 'Huehuetenango', phone: '+502 0000 0003', minors: true },
];
