import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StaffRole } from '../../common/domain';

/** A staff account. Callers never have one: they are anonymous. */
@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased; unique. */
  @Column({ type: 'varchar', length: 254, unique: true })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, select: false })
  passwordHash: string;

  @Column({ type: 'varchar', length: 20 })
  role: StaffRole;

  /** ISO 3166-1 alpha-2; required for roster admins and interpreters. */
  @Column({ type: 'char', length: 2, nullable: true })
  country: string | null;

  /** Officials belong to one institution (a court, a prosecutor's office, a consulate, a shelter...), by id. */
  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  /** For interpreter accounts: the roster entry this account speaks for. */
  @Column({ name: 'interpreter_id', type: 'uuid', nullable: true })
  interpreterId: string | null;

  /** Tokens issued before this instant are refused (revoking a staff member's sessions at once). */
  @Column({ name: 'tokens_valid_after', type: 'timestamptz', nullable: true })
  tokensValidAfter: Date | null;

  /** A disabled account cannot log in and its tokens stop working; an admin may enable it again. */
  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  /** Removed: email and password erased, never usable again; the row stays as the id bookings point at. */
  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
