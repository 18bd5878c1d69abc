/** Redis keys of presence (the client adds REDIS_PREFIX). */
export const presenceKeys = {
  /** hash: status, languages (comma-separated ids), since; while all her sockets are gone, down (an epoch) and downSince (ms) */
  interpreter: (id: string) => `presence:${id}`,
  /** set of interpreter ids available for a language row (connected and available) */
  availableFor: (languageId: string) => `presence:available:${languageId}`,
  /** set of interpreter ids on call (reachable by push only) for a language row, connected or not */
  onCallFor: (languageId: string) => `presence:oncall:${languageId}`,
  /** set of every available interpreter id (connected and available, or on call) */
  available: () => 'presence:available',
  /** consecutive offers she let ring out */
  missed: (id: string) => `presence:missed:${id}`,
  /** set of the socket ids through which she is connected (on any node) */
  sockets: (id: string) => `presence:sockets:${id}`,
  /** set of interpreter ids with at least one registered socket */
  connected: () => 'presence:connected',
  /** sorted set of interpreter ids whose sockets are all gone, scored by when (ms): their grace period runs */
  down: () => 'presence:down',
};
