import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Gender, InterpreterStatus, Specialty } from '../../common/domain';

/**
 * An interpreter of one national roster. `id` is the pseudonymous id used everywhere else; `externalId`
 * is the roster's own id, unique per country. The roster file gives one certification per interpreter,
 * so it is stored once here and applies to every language she interprets.
 */
@Entity('interpreters')
export class Interpreter {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** ISO 3166-1 alpha-2 code of the roster she belongs to. */
  @Column({ type: 'char', length: 2 })
  country: string;

  @Column({ name: 'external_id', type: 'varchar', length: 64 })
  externalId: string;

  @Column({ name: 'first_name', type: 'varchar', length: 60 })
  firstName: string;

  /** Staff contact (lower-cased); visible to administrators only, never crosses a border. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 10, nullable: true })
  gender: Gender | null;

  @Column({ type: 'varchar', length: 10, default: 'active' })
  status: InterpreterStatus;

  /** In the order of SPECIALTIES. */
  @Column({ type: 'varchar', length: 20, array: true, default: () => "'{}'" })
  specialties: Specialty[];

  @Column({ name: 'certification_body', type: 'varchar', length: 120, nullable: true })
  certificationBody: string | null;

  @Column({ name: 'certification_number', type: 'varchar', length: 60, nullable: true })
  certificationNumber: string | null;

  /** YYYY-MM-DD (kept as a string: a calendar date has no time zone). */
  @Column({ name: 'certification_expires', type: 'date', nullable: true })
  certificationExpires: string | null;

  /** When her last session ended: matching prefers whoever has waited longest (fairness). */
  @Column({ name: 'last_session_ended_at', type: 'timestamptz', nullable: true })
  lastSessionEndedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
