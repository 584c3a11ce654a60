import { RosterImportedV1, TransportCheckedV1, type RosterImportedV1Data, type TransportCheckedV1Data } from '@app/contracts';
import { writer, type Writer } from './writer';

/** How the events of workforce (transport checks, rosters) land in the read model. */
export const WORKFORCE_WRITERS: ReadonlyArray<Writer<unknown>> = [
  writer<TransportCheckedV1Data>({
    contract: TransportCheckedV1,
    table: 'transport_checks',
    columns:
      'hub_code text, date date, revision integer, passengers_checked integer, already_installed integer, installed_on_site integer, refused integer',
    onConflict: `ON CONFLICT (hub_code, date) DO UPDATE SET revision = EXCLUDED.revision, passengers_checked = EXCLUDED.passengers_checked,
       already_installed = EXCLUDED.already_installed, installed_on_site = EXCLUDED.installed_on_site, refused = EXCLUDED.refused
     WHERE transport_checks.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({
      hub_code: d.hubCode,
      date: d.date,
      revision: d.revision,
      passengers_checked: d.passengersChecked,
      already_installed: d.alreadyInstalled,
      installed_on_site: d.installedOnSite,
      refused: d.refused,
    }),
    key: (e) => `${e.data.hubCode}|${e.data.date}`,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
  writer<RosterImportedV1Data>({
    contract: RosterImportedV1,
    table: 'roster_imports',
    columns: `enterprise_code text, as_of date, import_id uuid, revision integer, headcount integer, smartphone_holders integer, installed integer,
      bluetooth_on integer, rows_accepted integer, rows_rejected integer, joined integer, "left" integer, newly_installed integer, newly_bluetooth_on integer`,
    onConflict: `ON CONFLICT (enterprise_code, as_of) DO UPDATE SET import_id = EXCLUDED.import_id, revision = EXCLUDED.revision,
       headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed,
       bluetooth_on = EXCLUDED.bluetooth_on, rows_accepted = EXCLUDED.rows_accepted, rows_rejected = EXCLUDED.rows_rejected,
       joined = EXCLUDED.joined, "left" = EXCLUDED."left", newly_installed = EXCLUDED.newly_installed, newly_bluetooth_on = EXCLUDED.newly_bluetooth_on
     WHERE roster_imports.revision < EXCLUDED.revision`,
    row: ({ data: d }) => ({
      enterprise_code: d.enterpriseCode,
      as_of: d.asOf,
      import_id: d.importId,
      revision: d.revision,
      headcount: d.headcount,
      smartphone_holders: d.smartphoneHolders,
      installed: d.installed,
      bluetooth_on: d.bluetoothOn,
      rows_accepted: d.rowsAccepted,
      rows_rejected: d.rowsRejected,
      joined: d.joined,
      left: d.left,
      newly_installed: d.newlyInstalled,
      newly_bluetooth_on: d.newlyBluetoothOn,
    }),
    key: (e) => `${e.data.enterpriseCode}|${e.data.asOf}`,
    newer: (a, b) => a.data.revision > b.data.revision,
  }),
];
