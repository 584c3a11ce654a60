import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { DayDto } from '../deliveries/dto/deliveries.dto';
import { CreateReportSubscriptionDto, ReportScheduleDto, SubscriptionIdParams } from './dto/report-subscription.dto';
import { ReportScheduleService } from './report-schedule.service';

/** Admin only (no @Roles): the DIC decides who receives the daily report and when. */
@ApiTags('reports')
@Controller('v1')
export class ReportsController {
  constructor(
    private readonly ds: DataSource,
    private readonly schedule: ReportScheduleService,
  ) {}

  @Get('report-subscriptions')
  @ApiOperation({ summary: 'Who receives the daily report by e-mail' })
  async list() {
    return {
      items: await this.ds.query(
        `SELECT id::text, email, name, lang, active, created_at AS "createdAt" FROM report_subscriptions ORDER BY id`,
      ),
    };
  }

  @Post('report-subscriptions')
  @ApiOperation({ summary: 'Add a recipient of the daily report (or update the one with this e-mail)' })
  async add(@Body() b: CreateReportSubscriptionDto) {
    const [row]: unknown[] = await this.ds.query(
      `INSERT INTO report_subscriptions (email, name, lang, active) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, lang = EXCLUDED.lang, active = EXCLUDED.active
       RETURNING id::text, email, name, lang, active, created_at AS "createdAt"`,
      [b.email, b.name, b.lang ?? 'vi', b.active ?? true],
    );
    return row;
  }

  @Delete('report-subscriptions/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a recipient (deliveries already made stay in the log)' })
  async remove(@Param() { id }: SubscriptionIdParams) {
    const [rows]: [unknown[], number] = await this.ds.query(`DELETE FROM report_subscriptions WHERE id = $1 RETURNING id::text, email`, [
      id,
    ]);
    if (!rows.length) throw new NotFoundException(`no report subscription ${id}`);
    return rows[0];
  }

  @Get('report-schedule')
  @ApiOperation({ summary: 'When the daily report and the reminders go out (time of day in Vietnam)' })
  get() {
    return this.schedule.get();
  }

  @Put('report-schedule')
  @ApiOperation({
    summary: 'Set the time of day (Asia/Ho_Chi_Minh), whether reports and reminders go out, and the reminder days before deadlines',
  })
  async set(@Body() b: ReportScheduleDto) {
    const now = await this.schedule.get();
    return this.schedule.set({
      time: b.time,
      enabled: b.enabled ?? now.enabled,
      remindersEnabled: b.remindersEnabled ?? now.remindersEnabled,
      reminderDaysBefore: b.reminderDaysBefore ?? now.reminderDaysBefore,
    });
  }

  @Post('report-deliveries')
  @HttpCode(202)
  @ApiOperation({
    summary:
      "Send now the report of day D to every active subscriber (once: a subscriber who already has D's report does not get it again)",
  })
  async sendNow(@Body() b: DayDto) {
    return { date: b.date, enqueued: await this.schedule.enqueueReports(b.date) };
  }
}
