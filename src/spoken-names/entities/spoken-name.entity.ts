import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type SpokenNameState = 'pending' | 'published';
export type SpokenNameRecorderRole = 'interpreter' | 'roster_admin';

/** A language's name spoken in that language (migrations/1765000000000-baseline.ts). */
@Entity('language_spoken_names')
export class SpokenName {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'language_id', type: 'uuid' })
  languageId: string;

  @Column({ type: 'varchar', length: 10 })
  state: SpokenNameState;

  /** The staff account whose voice it is. */
  @Column({ name: 'recorded_by', type: 'uuid' })
  recordedBy: string;

  @Column({ name: 'recorder_role', type: 'varchar', length: 20 })
  recorderRole: SpokenNameRecorderRole;

  /** When she agreed that callers may hear it. */
  @Column({ name: 'consented_at', type: 'timestamptz' })
  consentedAt: Date;

  @Column({ name: 'content_type', type: 'varchar', length: 20 })
  contentType: string;

  @Column({ type: 'integer' })
  size: number;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  /** Loaded only when the audio is served. */
  @Column({ type: 'bytea', select: false })
  audio: Buffer;

  @Column({ name: 'published_by', type: 'uuid', nullable: true })
  publishedBy: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
