import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { ACTIVITY_KINDS, IsUnitCode, type ActivityKind } from '@app/contracts';
import { sortOptions } from '../../common/listing';
import { ListQueryDto } from '../../common/query.dto';

export const COVERAGE_SORT_KEYS = [
  'code',
  'name',
  'communes',
  'communesWithPoint',
  'coverage',
  'points',
  'assistedOnDate',
  'installedOnDate',
  'installedToDate',
] as const;
export const COVERAGE_BY = ['district', 'operator'] as const;

export class SupportCoverageQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: COVERAGE_BY, default: 'district', description: 'One row per district, or per operator' })
  @IsOptional()
  @IsIn(COVERAGE_BY)
  by?: (typeof COVERAGE_BY)[number];

  @ApiPropertyOptional({ description: 'Only this district' })
  @IsOptional()
  @IsUnitCode()
  district?: string;

  @ApiPropertyOptional({ description: "Only this operator's points" })
  @IsOptional()
  @IsUnitCode()
  operator?: string;

  @ApiPropertyOptional({ enum: sortOptions(COVERAGE_SORT_KEYS), description: 'Default: code' })
  @IsOptional()
  @IsIn(sortOptions(COVERAGE_SORT_KEYS))
  sort?: string;
}

export const ACTIVITY_SORT_KEYS = [
  'code',
  'name',
  'district',
  'broadcastSessions',
  'householdsVisited',
  'propagandaTeams',
  'venuesMobilised',
  'customersGuided',
  'hqVisitors',
  'familyInstallsHelped',
] as const;

const toBool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ActivityComplianceQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    enum: ACTIVITY_KINDS,
    description: 'Only units that recorded this kind (communes are always listed for broadcast)',
  })
  @IsOptional()
  @IsIn(ACTIVITY_KINDS)
  kind?: ActivityKind;

  @ApiPropertyOptional({ description: 'Only units of this district' })
  @IsOptional()
  @IsUnitCode()
  district?: string;

  @ApiPropertyOptional({ description: 'Only communes whose every broadcast that day carried both announcements (true) or not (false)' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  complies?: boolean;

  @ApiPropertyOptional({ enum: sortOptions(ACTIVITY_SORT_KEYS), description: 'Default: code' })
  @IsOptional()
  @IsIn(sortOptions(ACTIVITY_SORT_KEYS))
  sort?: string;
}

export const TRANSPORT_SORT_KEYS = [
  'code',
  'name',
  'passengersChecked',
  'installedOnSite',
  'refused',
  'installedShare',
  'passengersToDate',
] as const;

export class TransportQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: sortOptions(TRANSPORT_SORT_KEYS), description: 'Default: code' })
  @IsOptional()
  @IsIn(sortOptions(TRANSPORT_SORT_KEYS))
  sort?: string;
}
