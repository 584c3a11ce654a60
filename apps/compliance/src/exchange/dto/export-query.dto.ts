import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { IsCalendarDate, IsUnitCode, TREES, type Tree } from '@app/contracts';

export class ExportQueryDto {
  @ApiProperty({ example: '842', description: 'The subtree: this unit and every unit under it' })
  @IsUnitCode()
  unit!: string;

  @ApiProperty({ example: '2020-08-19', description: 'First day of the period' })
  @IsCalendarDate()
  from!: string;

  @ApiProperty({ example: '2020-08-25', description: 'Last day of the period (at most 366 days after `from`)' })
  @IsCalendarDate()
  to!: string;

  @ApiPropertyOptional({ enum: TREES, description: 'The tree the subtree follows; default both (every unit under `unit` on either tree)' })
  @IsOptional()
  @IsIn(TREES)
  tree?: Tree;

  @ApiPropertyOptional({ example: 'BLUEZONE_DAILY', description: 'The dataSet the groups (ADX) or the set (dataValueSets) name' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, { message: 'dataSet must be a code (letters, digits, "_", "-", ".", ":")' })
  dataSet?: string;
}
