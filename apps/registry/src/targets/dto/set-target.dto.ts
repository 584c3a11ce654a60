import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { COHORTS, IsCalendarDate, METRICS, TREES, UNIT_TYPES, type Cohort, type Metric, type Tree, type UnitType } from '@app/contracts';

export class TargetIdParams {
  @ApiProperty({ example: 'residents-50' })
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'id must be lower-case letters, digits, "_" and "-" (at most 64)' })
  id!: string;
}

export class SetTargetDto {
  @ApiPropertyOptional({
    example: 'Tỷ lệ người dân cài đặt ứng dụng Bluezone đạt 50% dân số đến ngày 20/8/2020',
    description: 'the name officials read (Vietnamese)',
  })
  @ValidateIf((o: SetTargetDto) => o.name === undefined || o.nameVi !== undefined)
  @IsString()
  @Length(1, 300)
  nameVi?: string;
  @ApiPropertyOptional({ example: 'Residents installed ≥ 50% of the population by 2020-08-20', description: 'the English name' })
  @ValidateIf((o: SetTargetDto) => o.name === undefined || o.nameEn !== undefined)
  @IsString()
  @Length(1, 300)
  nameEn?: string;
  @ApiPropertyOptional({ deprecated: true, description: 'one name for both languages (before nameVi and nameEn); either given name wins' })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  name?: string;
  @ApiProperty({ enum: METRICS }) @IsIn(METRICS) metric!: Metric;
  @ApiProperty({ enum: COHORTS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(COHORTS, { each: true })
  cohorts!: Cohort[];
  @ApiProperty({ enum: TREES }) @IsIn(TREES) tree!: Tree;
  @ApiPropertyOptional({
    enum: UNIT_TYPES,
    isArray: true,
    description: 'unit types expected to report; empty: every type that may report the cohorts',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(UNIT_TYPES, { each: true })
  scopeUnitTypes?: UnitType[];
  @ApiPropertyOptional({ type: [Number], description: 'levels covered (1 province … 4 hamlet); empty: all' })
  @IsOptional()
  @IsArray()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(10, { each: true })
  scopeLevels?: number[];
  @ApiProperty({ example: 0.5, description: 'a fraction: 0.5 is 50%' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  threshold!: number;
  @ApiProperty({ example: '2020-08-20', description: 'not before CAMPAIGN_START, at most 366 days after today' })
  @IsCalendarDate()
  deadline!: string;
  @ApiPropertyOptional({
    example: '2020-08-04',
    description: 'not before CAMPAIGN_START nor after the deadline; the earliest of the targets is where every dated input may begin',
  })
  @IsOptional()
  @IsCalendarDate()
  campaignStart?: string;
  @ApiProperty({ example: 7, description: 'a unit with no report within this many days is not reporting' })
  @IsInt()
  @Min(1)
  @Max(366)
  reportingWindowDays!: number;
}
