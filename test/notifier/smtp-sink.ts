import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  mail: ParsedMail;
}

/**
 * A real SMTP server in the test process (the `smtp-server` package, as a mail relay would run it):
 * it records every message it accepted, and a test can make it refuse or stall recipients.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  readonly rcptSeen: string[] = [];
  /** Decides each RCPT TO: accept, refuse with a temporary error, or never answer. */
  onRcpt: (address: string, seen: number) => 'accept' | 'refuse' | 'stall' = () => 'accept';
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) => {
        this.rcptSeen.push(address.address);
        const verdict = this.onRcpt(address.address, this.rcptSeen.filter((a) => a === address.address).length);
        if (verdict === 'stall') return; // no answer: the client waits, as with a hung relay
        if (verdict === 'refuse') return cb(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
        cb();
      },
      onData: (stream, session, cb) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
            cb();
          })
          .catch((err: Error) => cb(err));
      },
    });
    this.server.on('error', () => undefined); // a client killed mid-conversation is no failure of the sink
  }

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((r) => r.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
