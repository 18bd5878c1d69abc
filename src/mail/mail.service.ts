import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { AppConfig } from '../config/config.schema';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** An iCalendar attachment (a booking's invitation or cancellation). */
  calendar?: { content: string; method: 'REQUEST' | 'CANCEL' };
}

/**
 * Email through SMTP, when SMTP_URL is set; otherwise mail is dropped (a deployment may rely on the
 * consoles' live notifications alone). Sending never fails the caller's work: a mail server that is down
 * costs a notification, not a booking. Logs name neither the recipient nor the content.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private readonly logger = new Logger('Mail');
  private readonly transport?: Transporter;

  constructor(private readonly config: AppConfig) {
    if (config.SMTP_URL) this.transport = createTransport(config.SMTP_URL);
  }

  get enabled() {
    return !!this.transport;
  }

  async send(mail: Mail): Promise<boolean> {
    if (!this.transport) return false;
    try {
      await this.transport.sendMail({
        from: this.config.SMTP_FROM,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.calendar ? { icalEvent: { method: mail.calendar.method, filename: 'hearing.ics', content: mail.calendar.content } } : {}),
      });
      return true;
    } catch (e) {
      this.logger.warn({ err: (e as Error).name, code: (e as { code?: string }).code }, 'an email could not be sent');
      return false;
    }
  }

  onModuleDestroy() {
    this.transport?.close();
  }
}
