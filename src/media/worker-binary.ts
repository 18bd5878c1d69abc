import { accessSync, constants } from 'node:fs';
import * as WorkerModule from 'mediasoup/node/lib/Worker';

/**
 * Points mediasoup at the worker binary and checks that it can run. mediasoup 3.12 reads
 * MEDIASOUP_WORKER_BIN once, when its Worker module is first loaded, into the exported `workerBin` that
 * every new worker spawns; configuration is loaded later than that, so the exported value is set here too.
 * Without a configured path the package's own location is used, where scripts/build-mediasoup-worker.sh
 * links the binary it built.
 */
export function useWorkerBinary(configured?: string): string {
  const mod = WorkerModule as { workerBin: string };
  if (configured) {
    process.env.MEDIASOUP_WORKER_BIN = configured;
    mod.workerBin = configured;
  }
  const bin = mod.workerBin;
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(
      configured
        ? `MEDIASOUP_WORKER_BIN: no executable mediasoup worker at ${bin}`
        : `no mediasoup worker at ${bin}: run \`npm run worker:build\` or set MEDIASOUP_WORKER_BIN`,
    );
  }
  return bin;
}
