/** A session whose media could not be rebuilt on any worker in time: the call ended, its purpose did not. */
export const MEDIA_FAILED = 'media_failed' as const;
