import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as WorkerModule from 'mediasoup/node/lib/Worker';
import { useWorkerBinary } from './worker-binary';

describe('useWorkerBinary', () => {
  const mod = WorkerModule as { workerBin: string };
  const original = { bin: mod.workerBin, env: process.env.MEDIASOUP_WORKER_BIN };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'puente-worker-bin-'));
  });
  afterEach(() => {
    mod.workerBin = original.bin;
    if (original.env === undefined) delete process.env.MEDIASOUP_WORKER_BIN;
    else process.env.MEDIASOUP_WORKER_BIN = original.env;
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes mediasoup spawn the configured binary, although mediasoup read the environment earlier', () => {
    const bin = join(dir, 'mediasoup-worker');
    writeFileSync(bin, '#!/bin/sh\n');
    chmodSync(bin, 0o755);
    expect(useWorkerBinary(bin)).toBe(bin);
    expect(mod.workerBin).toBe(bin);
    expect(process.env.MEDIASOUP_WORKER_BIN).toBe(bin);
  });

  it('names MEDIASOUP_WORKER_BIN when the configured binary is missing or not executable', () => {
    expect(() => useWorkerBinary(join(dir, 'missing'))).toThrow(/MEDIASOUP_WORKER_BIN/);
    const plain = join(dir, 'not-executable');
    writeFileSync(plain, '');
    chmodSync(plain, 0o644);
    // root may execute nothing without an x bit either, so this holds for every user.
    expect(() => useWorkerBinary(plain)).toThrow(/MEDIASOUP_WORKER_BIN/);
  });

  it('without configuration, points at the build script when the package has no worker', () => {
    mod.workerBin = join(dir, 'absent');
    expect(() => useWorkerBinary(undefined)).toThrow(/worker:build/);
  });
});
