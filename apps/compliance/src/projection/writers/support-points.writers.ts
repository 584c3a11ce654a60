import {
  SupportPointClosedV1,
  SupportPointOpenedV1,
  SupportSessionLoggedV1,
  type SupportPointClosedV1Data,
  type SupportPointOpenedV1Data,
  type SupportSessionLoggedV1Data,
} from '@app/contracts';
import { writer, type Writer } from './writer';

/** How the events of support points (points opened and closed, sessions) land in the read model. */
export const SUPPORT_POINTS_WRITERS: ReadonlyArray<Writer<unknown>> = [
  writer<SupportPointOpenedV1Data>({
    contract: SupportPointOpenedV1,
    table: 'support_points',
    columns: 'point_id text, operator_code text, commune_code text, address text, hours text, opened_on date, open_revision integer',
    onConflict: `ON CONFLICT (point_id) DO UPDATE SET operator_code = EXCLUDED.operator_code, commune_code = EXCLUDED.commune_code,
       address = EXCLUDED.address, hours = EXCLUDED.hours, opened_on = EXCLUDED.opened_on, open_revision = EXCLUDED.open_revision
     WHERE support_points.open_revision < EXCLUDED.open_revision`,
    row: ({ data: d }) => ({
      point_id: d.pointId,
      operator_code: d.operatorCode,
      commune_code: d.communeCode,
      address: d.address,
      hours: d.hours ?? null,
      opened_on: d.openedOn,
      open_revision: d.revision,
    }),
    key: (e) => e.data.pointId,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  /** Closing and (re)opening are ordered by revision: the point is closed when the close is the newer of the two. */
  writer<SupportPointClosedV1Data>({
    contract: SupportPointClosedV1,
    table: 'support_points',
    columns: 'point_id text, operator_code text, commune_code text, closed_on date, close_revision integer',
    onConflict: `ON CONFLICT (point_id) DO UPDATE SET closed_on = EXCLUDED.closed_on, close_revision = EXCLUDED.close_revision
     WHERE support_points.close_revision < EXCLUDED.close_revision`,
    row: ({ data: d }) => ({
      point_id: d.pointId,
      operator_code: d.operatorCode,
      commune_code: d.communeCode,
      closed_on: d.closedOn,
      close_revision: d.revision,
    }),
    key: (e) => e.data.pointId,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  writer<SupportSessionLoggedV1Data>({
    contract: SupportSessionLoggedV1,
    table: 'support_sessions',
    columns:
      'point_id text, date date, operator_code text, commune_code text, revision integer, assisted integer, installed integer, bluetooth_enabled integer',
    onConflict: `ON CONFLICT (point_id, date) DO UPDATE SET operator_code = EXCLUDED.operator_code, commune_code = EXCLUDED.commune_code,
       revision = EXCLUDED.revision, assisted = EXCLUDED.assisted, installed = EXCLUDED.installed, bluetooth_enabled = EXCLUDED.bluetooth_enabled
     WHERE support_sessions.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({
      point_id: d.pointId,
      date: d.date,
      operator_code: d.operatorCode,
      commune_code: d.communeCode,
      revision: d.revision,
      assisted: d.assisted,
      installed: d.installed,
      bluetooth_enabled: d.bluetoothEnabled,
    }),
    key: (e) => `${e.data.pointId}|${e.data.date}`,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
];
