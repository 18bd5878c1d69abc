import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web Push (issue 15): an interpreter's subscriptions, one per device that opted in on her console, removed with her
 * or when the push service says one is gone (404/410). `endpoint` is the push service's address for that device
 * (checked against WEB_PUSH_ALLOWED_ORIGINS when stored and when used); `p256dh` and `auth` are the device's public
 * key and secret that encrypt each message to it (RFC 8291). Nothing about a caller. The demo keeps its VAPID key pair
 * beside its signing key (`demo_secret`), so that subscriptions survive a restart of `npm run demo`.
 */
export class PushSubscriptions1765750000000 implements MigrationInterface {
  name = 'PushSubscriptions1765750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE push_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        interpreter_id uuid NOT NULL REFERENCES interpreters (id) ON DELETE CASCADE,
        endpoint varchar(1024) NOT NULL UNIQUE,
        p256dh varchar(100) NOT NULL,
        auth varchar(40) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX push_subscriptions_interpreter ON push_subscriptions (interpreter_id)`);
    await q.query(`ALTER TABLE demo_secret ADD COLUMN vapid_public_key varchar(100), ADD COLUMN vapid_private_key varchar(64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE demo_secret DROP COLUMN vapid_private_key, DROP COLUMN vapid_public_key`);
    await q.query(`DROP TABLE push_subscriptions`);
  }
}
