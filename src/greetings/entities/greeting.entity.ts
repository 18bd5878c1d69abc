import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An interpreter's recorded greeting in one of her variants (migrations/1765000000000-baseline.ts). */
@Entity('interpreter_greetings')
export class Greeting {
  @PrimaryColumn({ name: 'interpreter_id', type: 'uuid' })
  interpreterId: string;

  @PrimaryColumn({ name: 'language_id', type: 'uuid' })
  languageId: string;

  /** When she agreed that callers may hear it. */
  @Column({ name: 'consented_at', type: 'timestamptz' })
  consentedAt: Date;

  @Column({ name: 'content_type', type: 'varchar', length: 40 })
  contentType: string;

  @Column({ type: 'integer' })
  size: number;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  /** Loaded only when the audio is served. */
  @Column({ type: 'bytea', select: false })
  audio: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
