import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import {
  BLOCS,
  COHORTS,
  IsCalendarDate,
  IsUnitCode,
  TREES,
  UNIT_TYPES,
  type Bloc,
  type Cohort,
  type Tree,
  type UnitType,
} from '@app/contracts';
import { STANDINGS, type Standing } from '@app/domain';
import { QueryInt } from '@app/platform';
import { sortOptions } from '../../common/listing';
import { ListQueryDto } from '../../common/query.dto';

export const UNIT_SORT_KEYS = [
  'code',
  'name',
  'level',
  'headcount',
  'smartphoneHolders',
  'installed',
  'bluetoothOn',
  'installRate',
  'bluetoothRate',
  'population',
  'populationRate',
  'reportingUnits',
  'value',
  'gap',
  'status',
] as const;

export class UnitsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'Only the children of this unit on the chosen tree' })
  @IsOptional()
  @IsUnitCode()
  parent?: string;

  @QueryInt({ min: 1, max: 10 })
  level?: number;

  @ApiPropertyOptional({ enum: UNIT_TYPES })
  @IsOptional()
  @IsIn(UNIT_TYPES)
  type?: UnitType;

  @ApiPropertyOptional({ enum: COHORTS, description: 'Default: the first cohort the unit type reports (residents for territorial units)' })
  @IsOptional()
  @IsIn(COHORTS)
  cohort?: Cohort;

  @ApiPropertyOptional({ enum: TREES, description: "Default: the cohort's own tree" })
  @IsOptional()
  @IsIn(TREES)
  tree?: Tree;

  @ApiPropertyOptional({ description: 'Target whose status is shown (default: the first target over the cohort and tree)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  @ApiPropertyOptional({ enum: STANDINGS, description: 'due_today: units short on the deadline day' })
  @IsOptional()
  @IsIn(STANDINGS)
  status?: Standing;

  @ApiPropertyOptional({ enum: sortOptions(UNIT_SORT_KEYS), description: 'e.g. populationRate for worst first; -name for Z to A' })
  @IsOptional()
  @IsIn(sortOptions(UNIT_SORT_KEYS))
  sort?: string;
}

export const STATUS_SORT_KEYS = ['code', 'name', 'status', 'value', 'gap', 'since'] as const;

export class TargetStatusesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: STANDINGS, description: 'due_today: units short on the deadline day' })
  @IsOptional()
  @IsIn(STANDINGS)
  status?: Standing;

  @ApiPropertyOptional({ enum: UNIT_TYPES })
  @IsOptional()
  @IsIn(UNIT_TYPES)
  type?: UnitType;

  @ApiPropertyOptional({ enum: sortOptions(STATUS_SORT_KEYS), description: 'Default: worst status first' })
  @IsOptional()
  @IsIn(sortOptions(STATUS_SORT_KEYS))
  sort?: string;
}

/** What a laggard may be: short in any way, or not reporting. */
export const LAGGARD_STANDINGS = ['breached', 'due_today', 'at_risk', 'on_track', 'no_data'] as const satisfies readonly Standing[];

export const LAGGARD_SORT_KEYS = ['code', 'name', 'status', 'value', 'gap', 'since'] as const;

export class LaggardsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'One target (default: every target, each ranked by its own threshold)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  @ApiPropertyOptional({ enum: TREES, description: 'Only the targets counted on this tree' })
  @IsOptional()
  @IsIn(TREES)
  tree?: Tree;

  @ApiPropertyOptional({ description: "A unit's code: only the units of its subtree (on either tree)" })
  @IsOptional()
  @IsUnitCode()
  within?: string;

  @ApiPropertyOptional({ enum: BLOCS })
  @IsOptional()
  @IsIn(BLOCS)
  bloc?: Bloc;

  @QueryInt({ min: 1, max: 10, description: 'Tree level (1 province, 2 district, 3 commune, 4 hamlet)' })
  level?: number;

  @ApiPropertyOptional({ enum: UNIT_TYPES })
  @IsOptional()
  @IsIn(UNIT_TYPES)
  type?: UnitType;

  @ApiPropertyOptional({
    enum: LAGGARD_STANDINGS,
    description:
      'Default: every unit short (on track, at risk, due today, breached); no_data: units that should report and have not, with their heads',
  })
  @IsOptional()
  @IsIn(LAGGARD_STANDINGS)
  status?: (typeof LAGGARD_STANDINGS)[number];

  @ApiPropertyOptional({ enum: sortOptions(LAGGARD_SORT_KEYS), description: 'Default: worst first (farthest below the threshold)' })
  @IsOptional()
  @IsIn(sortOptions(LAGGARD_SORT_KEYS))
  sort?: string;
}

export const TIMESERIES_SORT_KEYS = ['date', 'installRate', 'bluetoothRate', 'populationRate', 'installed'] as const;

export class TimeseriesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'The unit (required)' })
  @IsUnitCode()
  unit!: string;

  @ApiPropertyOptional({ enum: COHORTS, description: 'Default: every cohort of the unit' })
  @IsOptional()
  @IsIn(COHORTS)
  cohort?: Cohort;

  @ApiPropertyOptional({ enum: TREES })
  @IsOptional()
  @IsIn(TREES)
  tree?: Tree;

  @ApiPropertyOptional({ example: '2020-08-01', description: 'Default: 29 days before `to`' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2020-08-30', description: 'Default: `date`, else today' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({ enum: sortOptions(TIMESERIES_SORT_KEYS), default: 'date' })
  @IsOptional()
  @IsIn(sortOptions(TIMESERIES_SORT_KEYS))
  sort?: string;
}
