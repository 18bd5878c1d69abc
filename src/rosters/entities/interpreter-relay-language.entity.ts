import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A relay language (Spanish, English, French...) an interpreter interprets into. */
@Entity('interpreter_relay_languages')
export class InterpreterRelayLanguage {
  @PrimaryColumn({ name: 'interpreter_id', type: 'uuid' })
  interpreterId: string;

  @PrimaryColumn({ name: 'language_id', type: 'uuid' })
  languageId: string;

  /** 1 to 5, as for her languages (a roster's bare code is 5). */
  @Column({ type: 'smallint', default: 5 })
  level: number;
}
