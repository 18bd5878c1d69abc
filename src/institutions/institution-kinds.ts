export const INSTITUTION_KINDS = ['court', 'prosecutor', 'consulate', 'shelter', 'migration', 'police', 'health', 'other'] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];
