/** An uploaded recording that is not what it must be (Opus audio in WebM or Ogg); its message names the problem. */
export class AudioFormatError extends Error {}
