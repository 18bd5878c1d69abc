/** Redis keys of presence (the client adds REDIS_PREFIX). */
export const presenceKeys = {
  /** hash: status, languages (comma-separated ids), since */
  interpreter: (id: string) => `presence:${id}`,
  /** set of interpreter ids available for a language row */
  availableFor: (languageId: string) => `presence:available:${languageId}`,
  /** set of every available interpreter id */
  available: () => 'presence:available',
  /** consecutive offers she let ring out */
  missed: (id: string) => `presence:missed:${id}`,
};
