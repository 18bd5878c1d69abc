import { Logger } from '@nestjs/common';
import type { EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

const QUEUED = 'puente.afterCommit';
const logger = new Logger('Database');

type Queued = { [QUEUED]?: { work: () => void; depth: number }[] };

/** How deep in nested transactions (TypeORM's savepoints) the runner is: 1 in the outermost. */
const depthOf = (runner: QueryRunner) => (runner as unknown as { transactionDepth: number }).transactionDepth;

/**
 * Runs once the outermost transaction (TypeORM's, one query runner per transaction) has committed, and is dropped
 * with it if it rolls back: `afterCommit` queues work on the transaction's query runner. Work queued inside a nested
 * transaction (a TypeORM savepoint) that rolls back is dropped with it; a savepoint of raw SQL cannot be seen: do not
 * queue work inside one.
 */
const subscriber: EntitySubscriberInterface = {
  afterTransactionCommit({ queryRunner }: { queryRunner: QueryRunner }) {
    const data = queryRunner.data as Queued;
    if (queryRunner.isTransactionActive) {
      // A nested transaction released: what it queued now belongs to the one around it (and goes if that rolls back).
      for (const q of data[QUEUED] ?? []) q.depth = Math.min(q.depth, depthOf(queryRunner));
      return;
    }
    const work = data[QUEUED];
    delete data[QUEUED];
    for (const { work: w } of work ?? []) {
      try {
        w();
      } catch (e) {
        // It committed: the work's own failure must not look like the transaction's.
        logger.error({ err: (e as Error).name }, 'work after a commit failed');
      }
    }
  },
  afterTransactionRollback({ queryRunner }: { queryRunner: QueryRunner }) {
    const data = queryRunner.data as Queued;
    if (!queryRunner.isTransactionActive) delete data[QUEUED];
    // A nested transaction rolled back: what was queued inside it goes with it.
    else data[QUEUED] = data[QUEUED]?.filter((q) => q.depth <= depthOf(queryRunner));
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
  (data[QUEUED] ??= []).push({ work, depth: depthOf(runner) });
}
