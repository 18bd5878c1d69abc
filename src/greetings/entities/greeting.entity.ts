import { CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { RecordedAudio } from './recorded-audio.entity';

/** An interpreter's recorded greeting in one of her variants (migrations/1765000000000-baseline.ts). */
@Entity('interpreter_greetings')
export class Greeting extends RecordedAudio {
  @PrimaryColumn({ name: 'interpreter_id', type: 'uuid' })
  interpreterId: string;

  @PrimaryColumn({ name: 'language_id', type: 'uuid' })
  languageId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
