import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { DayDto } from '../deliveries/dto/deliveries.dto';
import { OptOutDto, ReminderDayQuery, UnitCodeParams } from './dto/reminders.dto';
import { RemindersService } from './reminders.service';

/** Admin only (no @Roles). */
@ApiTags('reminders')
@Controller('v1')
export class RemindersController {
  constructor(
    private readonly ds: DataSource,
    private readonly reminders: RemindersService,
  ) {}

  @Get('reminders')
  @ApiOperation({ summary: 'Who would be reminded on day D, of what, and by which channels (nothing is sent)' })
  async preview(@Query() q: ReminderDayQuery) {
    return { date: q.date, units: (await this.reminders.plan(q.date)).plans };
  }

  @Post('reminder-deliveries')
  @HttpCode(202)
  @ApiOperation({ summary: "Send now day D's reminders (at most one per unit and channel per day: units already reminded are not again)" })
  async sendNow(@Body() b: DayDto) {
    const { plans, added } = await this.reminders.enqueue(b.date);
    return { date: b.date, enqueued: added, units: plans };
  }

  @Get('reminder-opt-outs')
  @ApiOperation({ summary: 'Units whose heads receive no reminders' })
  async optOuts() {
    return {
      items: await this.ds.query(
        `SELECT unit_code AS "unitCode", reason, created_at AS "createdAt" FROM reminder_opt_outs ORDER BY unit_code`,
      ),
    };
  }

  @Put('reminder-opt-outs/:unitCode')
  @ApiOperation({ summary: "Stop reminders to a unit's head" })
  async optOut(@Param() { unitCode }: UnitCodeParams, @Body() b: OptOutDto) {
    await this.ds.query(
      `INSERT INTO reminder_opt_outs (unit_code, reason) VALUES ($1, $2) ON CONFLICT (unit_code) DO UPDATE SET reason = EXCLUDED.reason`,
      [unitCode, b.reason ?? null],
    );
    return { unitCode, optedOut: true };
  }

  @Delete('reminder-opt-outs/:unitCode')
  @HttpCode(200)
  @ApiOperation({ summary: "Resume reminders to a unit's head" })
  async optIn(@Param() { unitCode }: UnitCodeParams) {
    await this.ds.query(`DELETE FROM reminder_opt_outs WHERE unit_code = $1`, [unitCode]);
    return { unitCode, optedOut: false };
  }
}
