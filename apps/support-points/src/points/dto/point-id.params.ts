import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** Point ids are chosen by the operator (their own reference), so they are checked like codes. */
export const POINT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class PointIdParams {
  @ApiProperty({ example: 'VNPT-TV-CAUKE-01', description: "the operator's own reference for the point" })
  @Matches(POINT_ID_PATTERN, { message: 'id must be 1 to 64 letters, digits, "_", "-" or "." starting with a letter or digit' })
  id!: string;
}
