import { ApiProperty } from '@nestjs/swagger';
import { IsCalendarDate, IsCount } from '@app/contracts';

export class LogSessionDto {
  @ApiProperty({ example: '2020-08-24', description: 'the day of the session; the point must have been open that day' })
  @IsCalendarDate()
  date!: string;

  @ApiProperty({ example: 40, description: 'people who came for help' })
  @IsCount()
  assisted!: number;

  @ApiProperty({ example: 35, description: 'installs done (at most assisted)' })
  @IsCount()
  installed!: number;

  @ApiProperty({ example: 33, description: 'people who left with Bluetooth on (at most installed)' })
  @IsCount()
  bluetoothEnabled!: number;
}
