import { Logger } from '@nestjs/common';
import type { EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

const QUEUED = 'puente.afterCommit';
const logger = new Logger('Database');

type Queued = { [QUEUED]?: (() => void)[] };

/**
 * Runs once the outermost transaction (TypeORM's, one query runner per transaction) has committed, and is dropped
 * with it if it rolls back: `afterCommit` queues work on the transaction's query runner. Work queued inside a
 * savepoint that later rolls back still runs when the transaction commits: do not queue inside one.
 */
const subscriber: EntitySubscriberInterface = {
  afterTransactionCommit({ queryRunner }: { queryRunner: QueryRunner }) {
    if (queryRunner.isTransactionActive) return; // a savepoint released: the transaction goes on
    const data = queryRunner.data as Queued;
    const work = data[QUEUED];
    delete data[QUEUED];
    for (const w of work ?? []) {
      try {
        w();
      } catch (e) {
        // It committed: the work's own failure must not look like the transaction's.
        logger.error({ err: (e as Error).name }, 'work after a commit failed');
      }
    }
  },
  afterTransactionRollback({ queryRunner }: { queryRunner: QueryRunner }) {
    if (!queryRunner.isTransactionActive) delete (queryRunner.data as Queued)[QUEUED];
  },
};

/**
 * Does `work` once what `m` has written is committed: at once when `m` runs in no transaction (each statement
 * commits on its own), else after the transaction's COMMIT (never if it rolls back). Synchronous work only: the
 * commit does not wait for a promise.
 */
export function afterCommit(m: Pick<EntityManager, 'queryRunner'>, work: () => void): void {
  const runner = m.queryRunner;
  if (!runner?.isTransactionActive) return work();
  const subscribers = runner.connection.subscribers as EntitySubscriberInterface[];
  if (!subscribers.includes(subscriber)) subscribers.push(subscriber);
  const data = runner.data as Queued;
  (data[QUEUED] ??= []).push(work);
}
