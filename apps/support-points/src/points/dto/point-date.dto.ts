import { ApiProperty } from '@nestjs/swagger';
import { IsCalendarDate } from '@app/contracts';

/** Body of close and reopen: the day the change takes effect. */
export class PointDateDto {
  @ApiProperty({
    example: '2020-08-28',
    description: 'close: the first day the point is no longer open; reopen: the first day it is open again',
  })
  @IsCalendarDate()
  date!: string;
}
