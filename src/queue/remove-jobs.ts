import Bull, { type Job, type Queue } from 'bull';

type JobClass = new (queue: Queue, data: object, opts: object) => Job;

/**
 * Removes jobs by id, one round trip each: Bull's own remove script, without `getJob` first (which reads the whole
 * job back only to remove it; a caller's grace timer is dropped whenever she comes back). A job that is running (it
 * holds its lock) is left as it is; an id with no job is a no-op (the script finds nothing to delete); a Redis failure
 * rejects.
 */
export async function removeJobs(queue: Queue, ids: string[]): Promise<void> {
  await Promise.all(
    ids.map(async (id) => {
      // Bull exports its Job class; a job needs only its queue and id to be removed.
      const job = new (Bull as unknown as { Job: JobClass }).Job(queue, {}, {});
      job.id = id;
      await job.remove().catch((e: Error) => {
        // The script ran and found the job locked by a worker: left running, as `getJob` + `remove` left it.
        if (!String(e?.message).startsWith('Could not remove job')) throw e;
      });
    }),
  );
}
