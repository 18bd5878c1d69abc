import { Column } from 'typeorm';

/**
 * What every stored recording keeps besides whose and what it is (greetings, spoken language names): the consent,
 * the container, size and length checked from the file itself (audio-upload.ts), and the audio. The columns'
 * lengths are the migrations' (content_type is varchar(40) for greetings, varchar(20) for spoken names).
 */
export abstract class RecordedAudio {
  /** When she agreed that callers may hear it. */
  @Column({ name: 'consented_at', type: 'timestamptz' })
  consentedAt: Date;

  @Column({ name: 'content_type', type: 'varchar' })
  contentType: string;

  @Column({ type: 'integer' })
  size: number;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  /** Loaded only when the audio is served. */
  @Column({ type: 'bytea', select: false })
  audio: Buffer;
}
