import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { RecordedAudio } from '../../greetings/entities/recorded-audio.entity';
import type { RecordingKind } from '../recording-kinds';

export type RecordingState = 'pending' | 'published';
export type RecorderRole = 'interpreter' | 'roster_admin';

/**
 * A language's name spoken in that language, or its notice (migrations/1765000000000-baseline.ts,
 * 1765830000000-language-notices.ts).
 */
@Entity('language_recordings')
export class LanguageRecording extends RecordedAudio {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 12 })
  kind: RecordingKind;

  @Column({ name: 'language_id', type: 'uuid' })
  languageId: string;

  @Column({ type: 'varchar', length: 10 })
  state: RecordingState;

  /** The staff account whose voice it is. */
  @Column({ name: 'recorded_by', type: 'uuid' })
  recordedBy: string;

  @Column({ name: 'recorder_role', type: 'varchar', length: 20 })
  recorderRole: RecorderRole;

  @Column({ name: 'published_by', type: 'uuid', nullable: true })
  publishedBy: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
