import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@app/platform';
import { ElementParams, ExchangeMappingDto, ExternalUnitParams, MapElementDto, MapUnitDto } from './dto/exchange-mapping.dto';
import { ExchangeMappingService } from './exchange-mapping.service';

@ApiTags('exchange')
@Controller('v1/exchange/mapping')
export class ExchangeMappingController {
  constructor(private readonly mapping: ExchangeMappingService) {}

  @Get()
  @Roles('analyst', 'portal', 'ez_board')
  @ApiOperation({ summary: 'The DHIS2/ADX mapping table: data elements → cohort and count; org-unit codes → unit codes' })
  @ApiResponse({ status: 200, type: ExchangeMappingDto })
  async list(): Promise<ExchangeMappingDto> {
    return this.mapping.list();
  }

  @Put('elements/:cohort/:field')
  @ApiOperation({
    summary:
      'Map a data element (admin): the DHIS2 data element and category option combo, and the ADX disaggregation, carrying one count of a cohort',
  })
  @ApiResponse({ status: 409, description: 'that data element and combo already carry another count' })
  async mapElement(@Param() p: ElementParams, @Body() body: MapElementDto) {
    return this.mapping.mapElement({
      cohort: p.cohort,
      field: p.field,
      dataElement: body.dataElement,
      categoryOptionCombo: body.categoryOptionCombo ?? '',
      adxDisaggregation: body.adxDisaggregation ?? {},
    });
  }

  @Delete('elements/:cohort/:field')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Remove a data element's mapping (admin)" })
  async unmapElement(@Param() p: ElementParams): Promise<void> {
    await this.mapping.unmapElement(p.cohort, p.field);
  }

  @Put('units/:externalCode')
  @ApiOperation({ summary: 'Map an org-unit code of the other system to one of ours (admin); a code with no mapping is taken as our own' })
  @ApiResponse({ status: 409, description: 'the unit is already mapped from another code' })
  async mapUnit(@Param() p: ExternalUnitParams, @Body() body: MapUnitDto) {
    return this.mapping.mapUnit(p.externalCode, body.orgUnitCode);
  }

  @Delete('units/:externalCode')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Remove an org-unit code's mapping (admin)" })
  async unmapUnit(@Param() p: ExternalUnitParams): Promise<void> {
    await this.mapping.unmapUnit(p.externalCode);
  }
}
