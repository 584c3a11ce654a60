import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsCalendarDate, IsUnitCode } from '@app/contracts';
import { LANGS, type Lang } from '@app/domain';

export class DashboardQueryDto {
  @ApiPropertyOptional({ example: '2020-08-21', description: 'The day shown (default: the latest day with data)' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;

  @ApiPropertyOptional({ enum: LANGS, default: 'vi' })
  @IsOptional()
  @IsIn(LANGS)
  lang?: Lang;
}

/** The login form (application/x-www-form-urlencoded): the key, and where to go back to. */
export class DashboardLoginDto extends DashboardQueryDto {
  @ApiProperty({ description: 'An analyst (or admin) API key; kept in an HttpOnly cookie, never shown again' })
  @IsString()
  @Length(8, 200)
  @Matches(/^[\x21-\x7e]+$/, { message: 'key must be printable ASCII without spaces' })
  key!: string;

  @ApiPropertyOptional({
    example: '844',
    description:
      'The unit whose page the form was shown on instead (a link followed without a key): signed in, the browser goes back to it; a code, never a URL',
  })
  @IsOptional()
  @IsUnitCode()
  unit?: string;
}

export class DashboardLogoutDto extends DashboardQueryDto {}

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A table of the dashboard as a file: the overview's tables, or (with `unit`) the tables of a unit's page. */
export class DashboardExportQueryDto extends DashboardQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'xlsx' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;

  @ApiPropertyOptional({ description: "The unit whose page's table is wanted (required for its tables)" })
  @IsOptional()
  @IsUnitCode()
  unit?: string;

  @ApiPropertyOptional({ example: 'members-100', description: 'laggards: only this target’s units (default: every target)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;
}

export const SERIES_FORMATS = ['json', 'xlsx', 'csv'] as const;
export type SeriesFormat = (typeof SERIES_FORMATS)[number];
/** How many units one time-series call may ask for. */
export const SERIES_MAX_UNITS = 100;

export class DashboardSeriesQueryDto extends DashboardQueryDto {
  @ApiProperty({ example: '842,843,844', description: `Unit codes, comma-separated (at most ${SERIES_MAX_UNITS})` })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(,[A-Za-z0-9][A-Za-z0-9_.-]{0,63}){0,99}$/, {
    message: `units must be unit codes separated by commas (at most ${SERIES_MAX_UNITS})`,
  })
  units!: string;

  @ApiPropertyOptional({ example: 'members-100', description: 'Only this target (default: every target)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  target?: string;

  @ApiPropertyOptional({ example: '2020-08-04', description: 'First day (default: the campaign start); the last is `date`' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ enum: SERIES_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(SERIES_FORMATS)
  format?: SeriesFormat;
}
