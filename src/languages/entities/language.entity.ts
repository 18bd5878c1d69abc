import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A language variant of the catalogue: an ISO 639-3 code, optionally narrowed to a variant as a national
 * institute names it (e.g. `agu` + `chalchiteko`). Relay languages (Spanish, English...) are rows too.
 * Unique on (iso6393, coalesce(variant, '')): see migrations/1765000000000-baseline.ts.
 */
@Entity('languages')
export class Language {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'char', length: 3 })
  iso6393: string;

  /** Lower-case slug; null for the language as a whole. */
  @Column({ type: 'varchar', length: 60, nullable: true })
  variant: string | null;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 120, nullable: true })
  autonym: string | null;

  /** ISO 3166-1 alpha-2 codes of the RCM countries where it is spoken. */
  @Column({ type: 'varchar', array: true, default: () => "'{}'" })
  countries: string[];

  @Column({ name: 'is_relay', type: 'boolean', default: false })
  isRelay: boolean;

  /**
   * Part of Puente's own catalogue of the RCM's languages (the curated file, or a variant an administrator
   * added); false for the rest of ISO 639-3, which is searchable but comes after these.
   */
  @Column({ type: 'boolean', default: false })
  curated: boolean;

  /** Code, name and autonym, lower-cased and without diacritics, for accent-insensitive search. */
  @Column({ name: 'search_text', type: 'text', select: false })
  searchText: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
