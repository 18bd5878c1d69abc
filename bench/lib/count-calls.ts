/**
 * Counts a node's round trips to PostgreSQL and Redis, by statement shape: load it into a node with
 * BENCH_NODE_ARGS="--require <this file compiled>" and BENCH_COUNT_DIR=<dir>. Every 2 s (and at exit) the
 * node writes <dir>/calls-<pid>.json: the cumulative counts so far, at each 2-s mark
 * ([{ at, pg: {shape: n}, redis: {command: n} }]); the difference between two marks over a run, divided by
 * the calls made, is the round trips per call (`node bench/dist/bench/count-summary.js FILE FROM TO CALLS`).
 * It only counts (a map increment per call); it changes nothing else. BENCH_COUNT_WHERE=1 also names, for each
 * Redis command, the first of the application's own functions on its stack (`publish < toCaller`): slower, as it
 * reads a stack per command, so for finding where commands come from, not for timing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_COUNT_DIR;
if (dir) {
  const pg: Record<string, number> = {};
  const redis: Record<string, number> = {};
  /** A statement's shape: its first words, without literals, so that one kind of statement is one line. */
  const shape = (text: unknown) =>
    String(typeof text === 'object' && text !== null ? (text as { text?: string }).text : text)
      .replace(/\s+/g, ' ')
      .replace(/'[^']*'/g, "'…'")
      .trim()
      .slice(0, 110);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg');
  const query = Client.prototype.query;
  Client.prototype.query = function (this: unknown, text: unknown, ...rest: unknown[]) {
    const k = shape(text);
    pg[k] = (pg[k] ?? 0) + 1;
    return query.call(this, text, ...rest);
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Redis = require('ioredis');
  const send = Redis.prototype.sendCommand;
  const where = process.env.BENCH_COUNT_WHERE === '1';
  /** The application's own frames (compiled src/), innermost first: `fn@file`. */
  const ownFrames = () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    return stack
      .split('\n')
      .map((l) => /at (?:async )?(\S+) \(.*\/src\/([^:]+)\.js/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .slice(0, 2)
      .map((m) => `${m[1]}@${m[2]}`)
      .join(' < ');
  };
  Redis.prototype.sendCommand = function (this: unknown, command: { name: string }, ...rest: unknown[]) {
    const k = where ? `${command.name} < ${ownFrames() || '(no application frame)'}` : command.name;
    redis[k] = (redis[k] ?? 0) + 1;
    return send.call(this, command, ...rest);
  };
  const marks: unknown[] = [];
  const write = () => {
    marks.push({ at: new Date().toISOString(), pg: { ...pg }, redis: { ...redis } });
    writeFileSync(join(dir, `calls-${process.pid}.json`), JSON.stringify(marks));
  };
  setInterval(write, 2000).unref();
  process.on('exit', write);
}
