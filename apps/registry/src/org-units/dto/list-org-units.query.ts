import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsUnitCode, TREES, UNIT_TYPES, type Tree, type UnitType } from '@app/contracts';

export class ListOrgUnitsQuery {
  @ApiPropertyOptional({ description: 'direct children of this unit (on `tree`, or on either tree when `tree` is not given)' })
  @IsOptional()
  @IsUnitCode()
  parent?: string;

  @ApiPropertyOptional({ enum: UNIT_TYPES }) @IsOptional() @IsIn(UNIT_TYPES) type?: UnitType;

  @ApiPropertyOptional({ description: 'administrative level: 1 province, 2 district, 3 commune, 4 hamlet' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
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

  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit: number = 100;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset: number = 0;
}
