import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { RecordedAudio } from '../../greetings/entities/recorded-audio.entity';

export type SpokenNameState = 'pending' | 'published';
export type SpokenNameRecorderRole = 'interpreter' | 'roster_admin';

/** A language's name spoken in that language (migrations/1765000000000-baseline.ts). */
@Entity('language_spoken_names')
export class SpokenName extends RecordedAudio {
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

  @Column({ name: 'published_by', type: 'uuid', nullable: true })
  publishedBy: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
