import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Length, Min } from 'class-validator';
import { SERVICES, type ServiceName } from './enums';

/**
 * Every event travels in this envelope. Metadata stays apart from data (emmett): `data` is the
 * versioned payload whose schema the catalog names; everything else is the same for every event.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** UUIDv7; also the JetStream `Nats-Msg-Id`, so the server drops a re-publish inside its duplicate window. */
  readonly id: string;
  readonly type: TType;
  readonly version: number;
  readonly occurredAt: string;
  readonly source: ServiceName;
  /** The org-unit code (or other natural key) the event is about. */
  readonly key: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly data: TData;
}

/** The envelope's own schema, checked before the payload's. */
export class EventEnvelopeSchema {
  @IsUUID() id!: string;
  @IsString() @Length(3, 120) type!: string;
  @IsInt() @Min(1) version!: number;
  @IsISO8601({ strict: true }) occurredAt!: string;
  @IsIn(SERVICES) source!: ServiceName;
  @IsString() @Length(1, 200) key!: string;
  @IsString() @Length(1, 200) correlationId!: string;
  @IsOptional() @IsString() causationId!: string | null;
  @IsObject() data!: Record<string, unknown>;
}
