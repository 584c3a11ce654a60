import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ListDeliveriesQuery } from './dto/deliveries.dto';

/** Admin only (no @Roles): every message sent and every attempt, with the SMTP server's or gateway's answer. */
@ApiTags('deliveries')
@Controller('v1/deliveries')
export class DeliveriesController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Deliveries (reports and reminders) with every attempt: when, by which replica, its outcome and the answer' })
  async list(@Query() q: ListDeliveriesQuery) {
    const rows: unknown[] = await this.ds.query(
      `SELECT d.id::text, d.kind, to_char(d.day, 'YYYY-MM-DD') AS day, d.recipient, d.channel, d.address, d.lang, d.subject,
              d.status, d.attempts, d.next_attempt_at AS "nextAttemptAt", d.last_error AS "lastError", d.sent_at AS "sentAt",
              d.message_id AS "messageId", d.created_at AS "createdAt",
              coalesce((SELECT json_agg(json_build_object('attempt', a.attempt, 'replica', a.replica, 'startedAt', a.started_at,
                        'finishedAt', a.finished_at, 'outcome', a.outcome, 'detail', a.detail) ORDER BY a.attempt, a.id)
                        FROM delivery_attempts a WHERE a.delivery_id = d.id), '[]') AS "attemptLog"
       FROM deliveries d
       WHERE ($1::date IS NULL OR d.day = $1) AND ($2::text IS NULL OR d.kind = $2) AND ($3::text IS NULL OR d.status = $3)
         AND ($4::text IS NULL OR d.recipient = $4)
       ORDER BY d.day DESC, d.id
       LIMIT 1000`,
      [q.day ?? null, q.kind ?? null, q.status ?? null, q.recipient ?? null],
    );
    return { items: rows };
  }
}
