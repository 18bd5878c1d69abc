import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A language variant an interpreter interprets, with her level (1 to 5). */
@Entity('interpreter_languages')
export class InterpreterLanguage {
  @PrimaryColumn({ name: 'interpreter_id', type: 'uuid' })
  interpreterId: string;

  @PrimaryColumn({ name: 'language_id', type: 'uuid' })
  languageId: string;

  @Column({ type: 'smallint' })
  level: number;
}
