import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { COHORTS, FOLLOW_UP_STATUSES, IsCalendarDate, IsUnitCode, QUALITY_RULES, QUALITY_SEVERITIES, type Cohort } from '@app/contracts';
import type { FollowUpStatus, QualityRule, QualitySeverity } from '@app/contracts';
import { LANGS, type Lang } from '@app/domain';
import { PAGE_OFFSET_MAX, QueryInt } from '@app/platform';

/** `active` (the default) is open and marked together: what still needs someone. */
export const FOLLOW_UP_FILTERS = ['active', 'all', ...FOLLOW_UP_STATUSES] as const;
export type FollowUpFilter = (typeof FOLLOW_UP_FILTERS)[number];

export class FollowUpQueryDto {
  @ApiPropertyOptional({ enum: FOLLOW_UP_FILTERS, default: 'active', description: '`active`: open and marked' })
  @IsOptional()
  @IsIn(FOLLOW_UP_FILTERS)
  status?: FollowUpFilter;

  @ApiPropertyOptional({ enum: QUALITY_SEVERITIES })
  @IsOptional()
  @IsIn(QUALITY_SEVERITIES)
  severity?: QualitySeverity;

  @ApiPropertyOptional({ enum: QUALITY_RULES })
  @IsOptional()
  @IsIn(QUALITY_RULES)
  rule?: QualityRule;

  @ApiPropertyOptional({ enum: COHORTS })
  @IsOptional()
  @IsIn(COHORTS)
  cohort?: Cohort;

  @ApiPropertyOptional({
    description: 'Only this unit and its subtree (both trees); a unit key sees its own subtree anyway',
    example: '844',
  })
  @IsOptional()
  @IsUnitCode()
  unit?: string;

  @ApiPropertyOptional({ description: 'Reports dated on or after this day', example: '2020-08-21' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Reports dated on or before this day', example: '2020-08-30' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({ enum: LANGS, description: 'Language of names and messages (default: from Accept-Language, else Vietnamese)' })
  @IsOptional()
  @IsIn(LANGS)
  lang?: Lang;

  @QueryInt({ min: 1, max: 1000, description: 'Rows per page (default 50)' })
  limit?: number;

  @QueryInt({ min: 0, max: PAGE_OFFSET_MAX, default: 0 })
  offset?: number;
}

export class FollowUpLangDto {
  @ApiPropertyOptional({ enum: LANGS })
  @IsOptional()
  @IsIn(LANGS)
  lang?: Lang;
}

/** What a person may set: mark for follow-up, resolve, or reopen. `cleared` is the system's alone. */
export const SETTABLE_STATUSES = ['open', 'marked', 'resolved'] as const;

export class FollowUpStatusDto {
  @ApiProperty({ enum: SETTABLE_STATUSES, description: '`marked`: someone is on it; `resolved`: done; `open`: reopen' })
  @IsIn(SETTABLE_STATUSES)
  status!: (typeof SETTABLE_STATUSES)[number];

  @ApiPropertyOptional({ description: 'A comment recorded with the change (1–2000 characters)' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  comment?: string;
}

export class FollowUpCommentDto {
  @ApiProperty({ description: 'The comment (1–2000 characters)' })
  @IsString()
  @Length(1, 2000)
  body!: string;
}

export type { FollowUpStatus };
