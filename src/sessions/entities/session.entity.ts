import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A live call's metadata: who (pseudonymous ids), when, and why it ended. Never its content. */
@Entity('sessions')
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'request_id', type: 'uuid', nullable: true })
  requestId: string | null;

  @Column({ name: 'interpreter_id', type: 'uuid' })
  interpreterId: string;

  @Column({ name: 'official_id', type: 'uuid', nullable: true })
  officialId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 30, nullable: true })
  endReason: string | null;

  /** The roles that took part (caller, interpreter, official), in the order they first joined. */
  @Column({ name: 'participant_roles', type: 'text', array: true, default: () => "'{}'" })
  participantRoles: string[];

  /** A hearing's session: its booking (null for an on-demand call, which has a request). */
  @Column({ name: 'booking_id', type: 'uuid', nullable: true })
  bookingId: string | null;
}
