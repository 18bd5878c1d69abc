/** A session whose media could not be rebuilt on any worker in time: the call ended, its purpose did not. */
export const MEDIA_FAILED = 'media_failed' as const;
/** She asked for another interpreter (`session:another`): the call ended for this one, her request goes back in line. */
export const ANOTHER_INTERPRETER = 'another_interpreter' as const;
