import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { NotifierConfig } from '../notifier.config';

export interface MailMessage {
  to: string;
  subject: string;
  html?: string;
  text: string;
  /** Stable per delivery, so a receiving system that sees the same message twice can tell. */
  messageId: string;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** E-mail over SMTP (nodemailer), for reports and reminders alike. */
@Injectable()
export class MailSender implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(private readonly config: NotifierConfig) {
    const timeout = config.SMTP_TIMEOUT_SECONDS * 1000;
    this.transport = createTransport({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE,
      requireTLS: config.SMTP_REQUIRE_TLS,
      tls: { rejectUnauthorized: config.SMTP_TLS_REJECT_UNAUTHORIZED },
      auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  /** Resolves with the server's answer once it has accepted the message; rejects with its refusal. */
  async send(m: MailMessage): Promise<string> {
    const info = (await this.transport.sendMail({
      from: this.config.SMTP_FROM,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      messageId: m.messageId,
      attachments: m.attachments,
    })) as { response?: string };
    return info.response ?? 'accepted';
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
