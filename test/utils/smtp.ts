import { SMTPServer } from 'smtp-server';
import { freePort } from './ports';

export interface ReceivedMail {
  to: string[];
  subject: string;
  raw: string;
  receivedAt: number;
}

/** A real SMTP server on loopback (the `smtp-server` package) that keeps what it receives. */
export class TestSmtp {
  readonly mails: ReceivedMail[] = [];
  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<TestSmtp> {
    const port = await freePort();
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '';
          box.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, raw, receivedAt: Date.now() });
          done();
        });
      },
    });
    // onData runs only once the server is listening, after `box` exists.
    const box = new TestSmtp(server, port);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return box;
  }

  get url() {
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string) {
    return this.mails.filter((m) => m.to.includes(address));
  }

  close() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
