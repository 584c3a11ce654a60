import { Injectable } from '@nestjs/common';
import { NotifierConfig } from '../notifier.config';

/** A channel that delivers a short text to a phone number. */
export interface SmsChannel {
  /** Resolves once the gateway has accepted the message; rejects with the reason it did not. */
  send(phone: string, text: string): Promise<string>;
}

/**
 * Vietnamese without diacritics, as SMS gateways that bill or only carry GSM 7-bit text want it
 * ("Đồng Văn Lâm" → "Dong Van Lam").
 */
export function withoutDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}

/** The gateway's request body: the template with `{{phone}}` and `{{text}}` replaced by JSON-escaped values. */
export function gatewayBody(template: string, phone: string, text: string): string {
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  return template.replace(/\{\{phone\}\}/g, json(phone)).replace(/\{\{text\}\}/g, json(text));
}

/** An SMS gateway reached by one HTTP POST per message (SMS_GATEWAY_URL, SMS_GATEWAY_TEMPLATE, SMS_GATEWAY_HEADER). */
@Injectable()
export class HttpSmsGateway implements SmsChannel {
  constructor(private readonly config: NotifierConfig) {}

  get configured(): boolean {
    return Boolean(this.config.SMS_GATEWAY_URL);
  }

  async send(phone: string, text: string): Promise<string> {
    const url = this.config.SMS_GATEWAY_URL;
    if (!url) throw new Error('no SMS gateway is configured (SMS_GATEWAY_URL)');
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    const extra = this.config.SMS_GATEWAY_HEADER;
    if (extra) {
      const i = extra.indexOf(': ');
      headers[extra.slice(0, i).toLowerCase()] = extra.slice(i + 2);
    }
    const body = gatewayBody(this.config.SMS_GATEWAY_TEMPLATE, phone, this.config.SMS_ASCII ? withoutDiacritics(text) : text);
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.config.SMTP_TIMEOUT_SECONDS * 1000) });
    const answer = (await res.text()).slice(0, 500);
    if (!res.ok) throw new Error(`SMS gateway answered ${res.status}: ${answer}`);
    return `${res.status} ${answer}`.trim();
  }
}
