/** What a service in the directory does: where an interpreter may refer a woman (the wrap-up's referrals, and other). */
export const SERVICE_KINDS = ['legal_aid', 'shelter', 'health', 'consulate', 'police', 'child_protection', 'other'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];
