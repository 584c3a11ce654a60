import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { IsUnitCode, TREES, UNIT_TYPES, type Tree, type UnitType } from '@app/contracts';
import { PAGE_OFFSET_MAX, QueryInt } from '@app/platform';

export class ListOrgUnitsQuery {
  @ApiPropertyOptional({ description: 'direct children of this unit (on `tree`, or on either tree when `tree` is not given)' })
  @IsOptional()
  @IsUnitCode()
  parent?: string;

  @ApiPropertyOptional({ enum: UNIT_TYPES }) @IsOptional() @IsIn(UNIT_TYPES) type?: UnitType;

  @QueryInt({ min: 1, max: 10, description: 'administrative level: 1 province, 2 district, 3 commune, 4 hamlet' })
  level?: number;

  @ApiPropertyOptional({ enum: TREES, description: 'with `parent`: which tree; alone: units placed on that tree' })
  @IsOptional()
  @IsIn(TREES)
  tree?: Tree;

  @ApiPropertyOptional({ description: 'also list retired units' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' || value === true ? true : value === 'false' || value === false ? false : value,
  )
  @IsBoolean()
  includeRetired?: boolean;

  @QueryInt({ min: 1, max: 1000, default: 100 }) limit: number = 100;
  @QueryInt({ min: 0, max: PAGE_OFFSET_MAX, default: 0 }) offset: number = 0;
}
