import type { RosterAggregates, RosterDiff } from './domain/roster-diff';

/** What a roster import is, as the store keeps it and the service and API speak of it. */

/** Rows staged together, column by column: 32-byte hashes back to back, lines, and flags (bit 0 smartphone, 1 installed, 2 Bluetooth on). */
export interface StagedChunk {
  count: number;
  hashes: Buffer;
  lines: Int32Array;
  flags: Uint8Array;
}

export const FLAG_SMARTPHONE = 1;
export const FLAG_INSTALLED = 2;
export const FLAG_BLUETOOTH = 4;

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ImportProgress {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Set when the capped list changed since the last write. */
  rejected?: RejectedLine[];
}

export type ImportState = 'running' | 'completed' | 'failed' | 'preview' | 'pending' | 'rejected' | 'superseded' | 'expired';
/** States of an upload judged but not in force, waiting for a confirmation. */
export const HELD_STATES: readonly ImportState[] = ['preview', 'pending'];

export interface ImportRecord {
  id: string;
  enterpriseCode: string;
  asOf: string;
  state: ImportState;
  format: string | null;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rejected: RejectedLine[];
  failure: string | null;
  revision: number | null;
  aggregates: RosterAggregates | null;
  diff: RosterDiff | null;
  /** The counts in force for the enterprise as of the upload's date when it was judged (null: no roster then). */
  before: RosterAggregates | null;
  /** Share of the previous roster the upload removes (left ÷ previous headcount); null without a previous roster. */
  removalShare: number | null;
  /** Held uploads only: the token that confirms this very preview. */
  previewToken: string | null;
  startedAt: string;
  finishedAt: string | null;
  decidedAt: string | null;
  rowsErasedAt: string | null;
}

export class ImportNoLongerRunningError extends Error {}

/** Why a held upload cannot be confirmed or rejected (messages: roster-messages.ts). */
export class HeldImportError extends Error {
  constructor(
    readonly reason: 'notHeld' | 'wrongToken' | 'rosterChanged',
    readonly state: ImportState,
  ) {
    super(`${reason} (${state})`);
  }
}

/** How an upload whose rows are staged ends: in force, or held for a confirmation. */
export interface HoldRule {
  /** A dry run: judged and held as a preview whatever it changes. */
  readonly dryRun: boolean;
  /** A replacement removing more than this share of the previous roster is held as pending. */
  readonly maxRemovalShare: number;
  /** The token a held upload is confirmed with. */
  readonly token: string;
}

export type Settled =
  | {
      state: 'completed';
      revision: number;
      diff: RosterDiff;
      before: RosterAggregates | null;
      removalShare: number | null;
      supersededImportId: string | null;
      droppedHolds: string[];
    }
  | {
      state: 'preview' | 'pending';
      diff: RosterDiff;
      before: RosterAggregates | null;
      removalShare: number | null;
      droppedHolds: string[];
    };

export interface PreviousRoster extends RosterAggregates {
  importId: string;
  asOf: string;
  revision: number;
}

/** The columns of roster_imports a record is read from, and the record made of them. */
export const IMPORT_COLUMNS = `id, enterprise_code, as_of::text AS as_of, state, format, rows_read, rows_accepted, rows_rejected, rejected, failure, revision,
  headcount, smartphone_holders, installed, bluetooth_on, joined, left_count, newly_installed, newly_bluetooth_on, started_at, finished_at, rows_erased_at,
  before_figures, removal_share, preview_token, previous_import_id, decided_at`;
export interface ImportRow {
  id: string;
  enterprise_code: string;
  as_of: string;
  state: ImportRecord['state'];
  format: string | null;
  rows_read: number;
  rows_accepted: number;
  rows_rejected: number;
  rejected: RejectedLine[];
  failure: string | null;
  revision: number | null;
  headcount: number | null;
  smartphone_holders: number | null;
  installed: number | null;
  bluetooth_on: number | null;
  joined: number | null;
  left_count: number | null;
  newly_installed: number | null;
  newly_bluetooth_on: number | null;
  started_at: Date;
  finished_at: Date | null;
  rows_erased_at: Date | null;
  before_figures: RosterAggregates | null;
  removal_share: number | null;
  preview_token: string | null;
  previous_import_id: string | null;
  decided_at: Date | null;
}

export function toRecord(r: ImportRow): ImportRecord {
  return {
    id: r.id,
    enterpriseCode: r.enterprise_code,
    asOf: r.as_of,
    state: r.state,
    format: r.format,
    rowsRead: r.rows_read,
    rowsAccepted: r.rows_accepted,
    rowsRejected: r.rows_rejected,
    rejected: r.rejected,
    failure: r.failure,
    revision: r.revision,
    aggregates:
      r.headcount === null
        ? null
        : {
            headcount: r.headcount,
            smartphoneHolders: r.smartphone_holders ?? 0,
            installed: r.installed ?? 0,
            bluetoothOn: r.bluetooth_on ?? 0,
          },
    diff:
      r.joined === null
        ? null
        : {
            joined: r.joined,
            left: r.left_count ?? 0,
            newlyInstalled: r.newly_installed ?? 0,
            newlyBluetoothOn: r.newly_bluetooth_on ?? 0,
          },
    before: r.before_figures,
    removalShare: r.removal_share,
    previewToken: r.preview_token,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
    rowsErasedAt: r.rows_erased_at ? r.rows_erased_at.toISOString() : null,
  };
}
