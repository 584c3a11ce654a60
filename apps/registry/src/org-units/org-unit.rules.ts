import { normaliseVietnamesePhone, type Bloc, type Tree, type UnitType } from '@app/contracts';
import { parentOn } from '@app/domain';

/**
 * The registry's rules for org units, pure (no I/O): which parent types each unit type accepts on
 * each tree, its level, and cycle detection. docs/registry.md restates this table; keep both in step.
 */

export interface ParentRule {
  /** Unit types allowed as this parent; empty means the unit has no parent on that tree. */
  readonly types: readonly UnitType[];
  readonly required: boolean;
}

export interface UnitTypeRule {
  /** Level on the administrative tree (province 1 … hamlet 4); null for units that are not administrative divisions. */
  readonly level: number | null;
  readonly administrative: ParentRule;
  readonly accountability: ParentRule;
  /** Only departments and mass organisations sit in one of the "3 blocs". */
  readonly blocAllowed: boolean;
  /**
   * Administrative divisions answer to the division above them unless told otherwise, so importing
   * the GSO catalogue (which only names administrative parents) builds both trees at once.
   */
  readonly accountableDefaultsToAdministrative: boolean;
}

const NONE: ParentRule = { types: [], required: false };
const req = (...types: UnitType[]): ParentRule => ({ types, required: true });
const opt = (...types: UnitType[]): ParentRule => ({ types, required: false });

export const UNIT_TYPE_RULES: Readonly<Record<UnitType, UnitTypeRule>> = {
  province: { level: 1, administrative: NONE, accountability: NONE, blocAllowed: false, accountableDefaultsToAdministrative: false },
  district: {
    level: 2,
    administrative: req('province'),
    accountability: req('province'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: true,
  },
  commune: {
    level: 3,
    administrative: req('district'),
    accountability: req('district'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: true,
  },
  hamlet: {
    level: 4,
    administrative: req('commune'),
    accountability: req('commune'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: true,
  },
  // Provincial departments answer to the province; district offices to their district; sub-units to their department.
  department: {
    level: null,
    administrative: opt('province', 'district'),
    accountability: req('province', 'district', 'department'),
    blocAllowed: true,
    accountableDefaultsToAdministrative: false,
  },
  // Mass organisations have branches at every level: a branch answers to the branch above it or to the People's Committee.
  mass_org: {
    level: null,
    administrative: opt('province', 'district', 'commune'),
    accountability: req('province', 'district', 'commune', 'mass_org'),
    blocAllowed: true,
    accountableDefaultsToAdministrative: false,
  },
  economic_zone: {
    level: null,
    administrative: opt('province', 'district'),
    accountability: req('department', 'province'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: false,
  },
  industrial_park: {
    level: null,
    administrative: opt('district', 'commune'),
    accountability: req('department', 'economic_zone'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: false,
  },
  enterprise: {
    level: null,
    administrative: opt('district', 'commune'),
    accountability: req('economic_zone', 'industrial_park', 'department', 'mass_org'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: false,
  },
  // Bus stations and ferry terminals: the Department of Transport or the transport enterprise that runs them.
  transport_hub: {
    level: null,
    administrative: opt('district', 'commune'),
    accountability: req('department', 'enterprise'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: false,
  },
  telecom: {
    level: null,
    administrative: opt('province', 'district', 'commune'),
    accountability: req('province', 'department', 'telecom'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: false,
  },
  post_office: {
    level: null,
    administrative: opt('province', 'district', 'commune'),
    accountability: req('province', 'department', 'post_office'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: false,
  },
  school: {
    level: null,
    administrative: opt('district', 'commune', 'hamlet'),
    accountability: req('department', 'district', 'commune'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: false,
  },
  venue: {
    level: null,
    administrative: opt('district', 'commune', 'hamlet'),
    accountability: req('department', 'district', 'commune', 'enterprise'),
    blocAllowed: false,
    accountableDefaultsToAdministrative: false,
  },
};

export function levelOf(type: UnitType): number | null {
  return UNIT_TYPE_RULES[type].level;
}

export interface UnitHead {
  readonly name: string;
  readonly title: string;
  /** E.164 (+84…); personal data, like the e-mail. */
  readonly phone: string | null;
  readonly email: string | null;
}

/**
 * A head as the registry stores them: text in NFC, the phone in E.164 (+84…), the e-mail trimmed. Call
 * it with values already validated (IsVietnamesePhone, IsEmail); a phone that is not a Vietnamese number is dropped.
 */
export function normaliseHead(h: { name: string; title: string; phone?: string | null; email?: string | null }): UnitHead {
  return {
    name: h.name.normalize('NFC'),
    title: h.title.normalize('NFC'),
    phone: h.phone ? normaliseVietnamesePhone(h.phone) : null,
    email: h.email ? h.email.trim() : null,
  };
}

/** What a caller asks the registry to hold for one unit (PUT body or CSV line). */
export interface UnitDraft {
  readonly code: string;
  readonly name: string;
  readonly type: UnitType;
  readonly bloc: Bloc | null;
  readonly adminParentCode: string | null;
  readonly accountableToCode: string | null;
  readonly head: UnitHead | null;
}

/** What the rules need to know of a unit already held (or proposed in the same batch). */
export interface TreeNode {
  readonly code: string;
  readonly type: UnitType;
  readonly active: boolean;
  readonly adminParentCode: string | null;
  readonly accountableToCode: string | null;
}

export type DraftField = 'code' | 'type' | 'bloc' | 'adminParentCode' | 'accountableToCode';

export interface DraftIssue {
  /** Index of the draft in the batch. */
  readonly index: number;
  readonly field: DraftField;
  readonly message: string;
}

const PARENT_FIELD: Record<Tree, 'adminParentCode' | 'accountableToCode'> = {
  administrative: 'adminParentCode',
  accountability: 'accountableToCode',
};

/** Fills the defaults of the type table (an administrative division answers to its administrative parent). */
export function withDefaults(d: UnitDraft): UnitDraft {
  const rule = UNIT_TYPE_RULES[d.type];
  if (d.accountableToCode === null && rule.accountableDefaultsToAdministrative && d.adminParentCode !== null) {
    return { ...d, accountableToCode: d.adminParentCode };
  }
  return d;
}

/**
 * The cycle through `code` on one tree, as the list of codes from `code` back to itself, or null.
 * Walks the whole ancestry (not only the direct parent); stops on a loop that does not pass through `code`.
 */
export function findCycle(code: string, parentOf: (code: string) => string | null | undefined): string[] | null {
  const path = [code];
  const seen = new Set<string>([code]);
  let current = parentOf(code) ?? null;
  while (current !== null) {
    path.push(current);
    if (current === code) return path;
    if (seen.has(current)) return null;
    seen.add(current);
    current = parentOf(current) ?? null;
  }
  return null;
}

/**
 * Checks a batch of drafts against the units already held: duplicate codes, blocs, parent types,
 * parents that exist (held or in the batch) and are active, cycles on either tree, and units already
 * held whose parent's new type they would no longer accept. Returns every issue, never stops at the first.
 */
export function validateDrafts(drafts: readonly UnitDraft[], existing: ReadonlyMap<string, TreeNode>): DraftIssue[] {
  const issues: DraftIssue[] = [];
  const firstIndex = new Map<string, number>();
  drafts.forEach((d, index) => {
    const first = firstIndex.get(d.code);
    if (first !== undefined)
      issues.push({ index, field: 'code', message: `duplicate code ${d.code} (already given by entry ${first + 1} of this batch)` });
    else firstIndex.set(d.code, index);
  });

  const merged = new Map<string, TreeNode>(existing);
  for (const [code, index] of firstIndex) {
    const d = drafts[index];
    merged.set(code, { code, type: d.type, active: true, adminParentCode: d.adminParentCode, accountableToCode: d.accountableToCode });
  }

  drafts.forEach((d, index) => {
    if (firstIndex.get(d.code) !== index) return;
    const rule = UNIT_TYPE_RULES[d.type];
    if (d.bloc !== null && !rule.blocAllowed)
      issues.push({ index, field: 'bloc', message: `a ${d.type} has no bloc (only departments and mass organisations do)` });
    for (const tree of ['administrative', 'accountability'] as const) {
      const field = PARENT_FIELD[tree];
      const parentCode = parentOn(tree, d);
      const parentRule = tree === 'administrative' ? rule.administrative : rule.accountability;
      if (parentCode === null) {
        if (parentRule.required)
          issues.push({ index, field, message: `a ${d.type} needs a parent on the ${tree} tree (one of: ${parentRule.types.join(', ')})` });
        continue;
      }
      if (parentRule.types.length === 0) {
        issues.push({ index, field, message: `a ${d.type} has no parent on the ${tree} tree` });
        continue;
      }
      if (parentCode === d.code) {
        issues.push({ index, field, message: `cycle on the ${tree} tree: ${d.code} cannot be its own parent` });
        continue;
      }
      const parent = merged.get(parentCode);
      if (!parent) {
        issues.push({ index, field, message: `parent ${parentCode} does not exist` });
        continue;
      }
      if (!parent.active) issues.push({ index, field, message: `parent ${parentCode} is retired` });
      if (!parentRule.types.includes(parent.type)) {
        issues.push({
          index,
          field,
          message: `a ${d.type} cannot have a ${parent.type} (${parentCode}) as ${tree} parent; allowed: ${parentRule.types.join(', ')}`,
        });
      }
      const cycle = findCycle(d.code, (c) => {
        const u = merged.get(c);
        return u ? parentOn(tree, u) : null;
      });
      if (cycle) issues.push({ index, field, message: `cycle on the ${tree} tree: ${cycle.join(' → ')}` });
    }
  });

  // A unit whose type changes must still suit the held units below it that this batch does not touch.
  const changedType = drafts.filter(
    (d, index) => firstIndex.get(d.code) === index && existing.has(d.code) && existing.get(d.code)!.type !== d.type,
  );
  if (changedType.length > 0) {
    for (const child of existing.values()) {
      if (firstIndex.has(child.code) || !child.active) continue;
      for (const tree of ['administrative', 'accountability'] as const) {
        const parentCode = parentOn(tree, child);
        const d = parentCode !== null ? changedType.find((x) => x.code === parentCode) : undefined;
        if (!d) continue;
        const allowed = (
          tree === 'administrative' ? UNIT_TYPE_RULES[child.type].administrative : UNIT_TYPE_RULES[child.type].accountability
        ).types;
        if (!allowed.includes(d.type)) {
          issues.push({
            index: firstIndex.get(d.code)!,
            field: 'type',
            message: `${child.code} (a ${child.type}) has ${d.code} as ${tree} parent and cannot have a ${d.type} there`,
          });
        }
      }
    }
  }
  return issues;
}

/** The batch in an order where every parent given in the batch comes before its children (parents may be listed later in a file). */
export function parentsFirst<T extends { readonly draft: UnitDraft }>(items: readonly T[]): T[] {
  const byCode = new Map(items.map((i) => [i.draft.code, i]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: T[] = [];
  const visit = (item: T): void => {
    const code = item.draft.code;
    if (done.has(code) || visiting.has(code)) return;
    visiting.add(code);
    for (const p of [item.draft.adminParentCode, item.draft.accountableToCode]) {
      const parent = p !== null ? byCode.get(p) : undefined;
      if (parent) visit(parent);
    }
    visiting.delete(code);
    done.add(code);
    out.push(item);
  };
  for (const item of items) visit(item);
  return out;
}
