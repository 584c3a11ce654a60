import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsUnitCode } from '@app/contracts';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import type { Lang } from '../../rosters/roster-messages';

export class RosterPageQueryDto {
  @ApiPropertyOptional({ enum: ['vi', 'en'], default: 'vi', description: 'Language of the page' })
  @IsOptional()
  @IsIn(['vi', 'en'])
  lang?: Lang;

  @ApiPropertyOptional({ description: 'The enterprise chosen in the form' })
  @IsOptional()
  @IsUnitCode()
  enterprise?: string;
}

/** The login form (application/x-www-form-urlencoded): the key, and the language to go back to. */
export class RosterPageLoginDto {
  @ApiProperty()
  @IsString()
  @Length(8, 200)
  key!: string;

  @ApiPropertyOptional({ enum: ['vi', 'en'] })
  @IsOptional()
  @IsIn(['vi', 'en'])
  lang?: Lang;
}

/** Log out, reject (application/x-www-form-urlencoded): the language to go back to. */
export class RosterPageFormDto {
  @ApiPropertyOptional({ enum: ['vi', 'en'] })
  @IsOptional()
  @IsIn(['vi', 'en'])
  lang?: Lang;
}

/** The confirmation of a held upload, with the token of the preview shown. */
export class RosterPageConfirmDto extends RosterPageFormDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  previewToken!: string;
}
