import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@app/contracts';

export interface Principal {
  readonly keyId: string;
  readonly role: Role;
  /** The unit the key acts for; null for admin and analyst keys issued without one. */
  readonly orgUnitCode: string | null;
}

/** API keys are 32 random bytes: a plain SHA-256 is enough to store them (no dictionary to guess from). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `bz_${randomBytes(32).toString('base64url')}`;
}

/** What a directory can say of a key: who it is (null: unknown or revoked), and whether that is known to be current. */
export interface KeyVerdict {
  readonly principal: Principal | null;
  /** false: the directory's copy may be stale and the source could not be asked (see ApiKeyGuard). */
  readonly confirmed: boolean;
}

/** Where a service looks keys up: the registry's own table, or the replica every other service builds from key events. */
export interface KeyDirectory {
  findByHash(hash: string): Promise<Principal | null>;
  /** A directory that may lag its source (a replica) judges the key presented; without it, findByHash is current. */
  verify?(key: string, hash: string): Promise<KeyVerdict>;
}

/** Answers "is this unit the root or inside its subtree, on either tree?" from the service's registry data. */
export interface UnitScope {
  isWithin(unitCode: string, rootCode: string): Promise<boolean>;
  /** Type of the unit and whether it has an ancestor of one of the types (for ez_board, transport, telecom scopes). */
  describe(unitCode: string): Promise<{ type: string; active: boolean; ancestorTypes: string[]; ancestors: string[] } | null>;
}

export const KEY_DIRECTORY = Symbol('KEY_DIRECTORY');
export const UNIT_SCOPE = Symbol('UNIT_SCOPE');
