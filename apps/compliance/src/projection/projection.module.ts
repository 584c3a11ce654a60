import { Module } from '@nestjs/common';
import { ComplianceProjectionHandlers } from './handlers/compliance-projection.handler';

@Module({ providers: [ComplianceProjectionHandlers] })
export class ProjectionModule {}
