import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { InstitutionKind } from '../institution-kinds';

/** A court, prosecutor's office, consulate, shelter...: officials belong to one by id (migrations/1765000000000-baseline.ts). */
@Entity('institutions')
export class Institution {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'char', length: 2 })
  country: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 20 })
  kind: InstitutionKind;

  /** The language its officials speak (the target of an interpretation); the country's main one by default. */
  @Column({ name: 'language_id', type: 'uuid', nullable: true })
  languageId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
