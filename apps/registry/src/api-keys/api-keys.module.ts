import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { KeyHeartbeat } from './key-heartbeat.service';

@Module({ controllers: [ApiKeysController], providers: [ApiKeysService, KeyHeartbeat], exports: [ApiKeysService] })
export class ApiKeysModule {}
