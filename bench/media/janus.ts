/**
 * Debian's Janus (`apt-get install janus`, 1.1.2 on bookworm) as the third server of the plain-RTP media
 * benchmark, in the same shape: per three-party session a VideoRoom room with three *remote publishers*
 * (plain RTP in, one UDP port each; Janus 1.1's room-cascading feature), and each publisher's audio
 * forwarded as plain RTP (`rtp_forward`) to the other two parties' sockets: 3 flows in, 6 out, SFU
 * forwarding without SRTP, as the mediasoup PlainTransports do.
 *
 * A remote publisher takes the stream's m-index from the SSRC (SSRC 1000 + 10 × mindex: found by probing
 * 1.1.2, matching its "simple math on SSRC identifiers"), so every party sends with SSRC 1000.
 *
 * Janus runs as its own process with a configuration written here: the VideoRoom plugin and the HTTP
 * transport on 127.0.0.1 only, log level 2 (errors: the level the mediasoup workers run at), no session
 * timeout. It is stopped with the step.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './proc';

const LIB = '/usr/lib/x86_64-linux-gnu/janus';
/** The SSRC a remote publisher's first stream (mindex 0) must carry. */
export const JANUS_REMOTE_SSRC = 1000;

export interface JanusTarget {
  port: number;
  ssrc: number;
}

export class Janus {
  private proc?: ChildProcess;
  private dir = mkdtempSync(join(tmpdir(), 'puente-janus-'));
  private tx = 0;
  private session = 0;
  private handle = 0;
  /** add_remote_publisher requests, one at a time (see session3). */
  private adding: Promise<unknown> = Promise.resolve();

  private constructor(private readonly httpPort: number) {}

  get pid(): number {
    return this.proc!.pid!;
  }

  /**
   * Starts Janus on `httpPort` (API) and waits until it answers. Its RTP ports come from `rtpRange`: below
   * the ephemeral range the generators' sockets take theirs from, and below the tests' ports (20000+).
   */
  static async start(
    httpPort: number,
    rtpRange = '12000-19999',
    boundMs = 30_000,
    debugLevel = Number(process.env.BENCH_JANUS_DEBUG ?? 2),
  ): Promise<Janus> {
    const j = new Janus(httpPort);
    j.configure(rtpRange);
    j.proc = spawn('janus', ['-F', j.dir, '-C', join(j.dir, 'janus.jcfg'), '-d', String(debugLevel)], {
      stdio: ['ignore', process.env.BENCH_JANUS_DEBUG ? 'inherit' : 'ignore', 'inherit'],
    });
    const deadline = Date.now() + boundMs;
    for (;;) {
      if (j.proc.exitCode !== null) throw new Error(`janus exited with ${j.proc.exitCode}`);
      const ok = await j.post('', { janus: 'create' }).catch(() => null);
      if (ok?.data?.id) {
        j.session = ok.data.id;
        break;
      }
      if (Date.now() > deadline) throw new Error('janus did not answer');
      await sleep(200);
    }
    j.handle = (await j.post(`/${j.session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
    return j;
  }

  private configure(rtpRange: string) {
    const plugins = [
      'audiobridge',
      'duktape',
      'echotest',
      'lua',
      'nosip',
      'recordplay',
      'sip',
      'streaming',
      'textroom',
      'videocall',
      'voicemail',
    ];
    const transports = ['mqtt', 'nanomsg', 'pfunix', 'rabbitmq', 'websockets'];
    const events = ['gelfevh', 'mqttevh', 'nanomsgevh', 'rabbitmqevh', 'sampleevh', 'wsevh'];
    const so = (xs: string[]) => xs.map((x) => `libjanus_${x}.so`).join(',');
    writeFileSync(
      join(this.dir, 'janus.jcfg'),
      `general: {
  configs_folder = "${this.dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = 2
  session_timeout = 0
}
media: {
  rtp_port_range = "${rtpRange}"
}
plugins: {
  disable = "${so(plugins)}"
}
transports: {
  disable = "${so(transports)}"
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
events: {
  disable = "${so(events)}"
}
`,
    );
    writeFileSync(
      join(this.dir, 'janus.transport.http.jcfg'),
      `general: {
  base_path = "/janus"
  http = true
  port = ${this.httpPort}
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
}
`,
    );
    writeFileSync(join(this.dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
  }

  private async post(path: string, body: Record<string, unknown>) {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}/janus${path}`, {
      method: 'POST',
      body: JSON.stringify({ ...body, transaction: String(this.tx++) }),
    });
    return (await res.json()) as any;
  }

  private async videoroom(body: Record<string, unknown>, handle = this.handle) {
    const res = await this.post(`/${this.session}/${handle}`, { janus: 'message', body });
    const data = res?.plugindata?.data;
    if (!data || data.error) throw new Error(`janus ${body.request}: ${data?.error ?? JSON.stringify(res)}`);
    return data;
  }

  /** One session: a room, a remote publisher per party, each forwarded to the other parties' `ports`. */
  async session3(ports: number[]): Promise<JanusTarget[]> {
    // A handle of its own: sessions are set up concurrently.
    const handle = (await this.post(`/${this.session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
    const { room } = await this.videoroom(
      { request: 'create', publishers: ports.length, audiocodec: 'opus', opus_fec: true, opus_dtx: true },
      handle,
    );
    const publishers: { id: number; port: number }[] = [];
    for (const [i] of ports.entries()) {
      // One at a time: under load, concurrent remote publishers in different rooms sometimes lost their
      // feed before the forwarders were added ("No such feed"), as if two had raced for one RTP port.
      const add = this.adding.then(() =>
        this.videoroom(
          {
            request: 'add_remote_publisher',
            room,
            display: `p${i}`,
            iface: '127.0.0.1',
            streams: [{ type: 'audio', mindex: 0, mid: '0', codec: 'opus', fec: true, dtx: true }],
          },
          handle,
        ),
      );
      this.adding = add.catch(() => undefined);
      const rp = await add;
      publishers.push({ id: rp.id, port: rp.port });
    }
    for (const [i, p] of publishers.entries()) {
      for (const [j, port] of ports.entries()) {
        if (j !== i)
          await this.videoroom(
            { request: 'rtp_forward', room, publisher_id: p.id, host: '127.0.0.1', host_family: 'ipv4', streams: [{ mid: '0', port }] },
            handle,
          );
      }
    }
    return publishers.map((p) => ({ port: p.port, ssrc: JANUS_REMOTE_SSRC }));
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const exited = once(this.proc, 'exit');
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
