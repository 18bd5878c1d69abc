import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One device of an interpreter that receives offers by Web Push (migrations/1765750000000-push-subscriptions.ts). */
@Entity('push_subscriptions')
export class PushSubscription {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'interpreter_id', type: 'uuid' })
  interpreterId: string;

  @Column({ type: 'varchar', length: 1024 })
  endpoint: string;

  @Column({ type: 'varchar', length: 100 })
  p256dh: string;

  @Column({ type: 'varchar', length: 40 })
  auth: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
