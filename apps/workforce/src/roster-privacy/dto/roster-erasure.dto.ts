import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

export class RosterErasureRequestDto {
  @ApiProperty({
    example: 'NV0001234',
    description: 'The employee id as the rosters carry it (case, width forms and surrounding spaces do not matter); never stored',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  @Matches(/\S/, { message: 'employeeId must not be blank' })
  employeeId!: string;
}

export class ErasedFromDto {
  @ApiProperty() importId!: string;
  @ApiProperty({ example: '2020-08-25' }) asOf!: string;
  @ApiProperty({ description: 'Whether that upload is the roster in force for its date' }) inForce!: boolean;
}

export class RosterErasureResultDto {
  @ApiProperty() erasureId!: string;
  @ApiProperty() enterpriseCode!: string;
  @ApiProperty({ description: 'Rows of the worker erased (one per upload that listed them); 0 when none was stored' }) rowsErased!: number;
  @ApiProperty({ type: [ErasedFromDto] }) erasedFrom!: ErasedFromDto[];
  @ApiProperty({ description: 'Counts already computed and published stay as they were' }) countsUnchanged!: true;
  @ApiProperty() erasedAt!: string;
}
