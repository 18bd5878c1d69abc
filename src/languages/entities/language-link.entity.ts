import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Two catalogue rows that an administrator has recorded as mutually intelligible (matching tier 4). A link
 * holds both ways; the pair is unique whichever way round it was entered.
 */
@Entity('language_links')
export class LanguageLink {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'from_language_id', type: 'uuid' })
  fromLanguageId: string;

  @Column({ name: 'to_language_id', type: 'uuid' })
  toLanguageId: string;

  /** Who documents the intelligibility (an institute, a study): a short label, not case content. */
  @Column({ type: 'varchar', length: 200 })
  source: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
