import { UNIT_TYPES, type UnitType } from '@app/contracts';
import {
  findCycle,
  levelOf,
  parentsFirst,
  UNIT_TYPE_RULES,
  validateDrafts,
  withDefaults,
  type TreeNode,
  type UnitDraft,
} from './org-unit.rules';

const draft = (
  code: string,
  type: UnitType,
  adminParentCode: string | null = null,
  accountableToCode: string | null = null,
  extra: Partial<UnitDraft> = {},
): UnitDraft => withDefaults({ code, name: code, type, bloc: null, adminParentCode, accountableToCode, head: null, ...extra });
const node = (
  code: string,
  type: UnitType,
  adminParentCode: string | null = null,
  accountableToCode: string | null = null,
  active = true,
): TreeNode => ({
  code,
  type,
  active,
  adminParentCode,
  accountableToCode,
});
const held = (...nodes: TreeNode[]) => new Map(nodes.map((n) => [n.code, n]));
const province = node('84', 'province');
const district = node('842', 'district', '84', '84');

describe('the unit type table', () => {
  it('gives every unit type a rule, and the administrative levels province 1 … hamlet 4', () => {
    for (const t of UNIT_TYPES) expect(UNIT_TYPE_RULES[t]).toBeDefined();
    expect([levelOf('province'), levelOf('district'), levelOf('commune'), levelOf('hamlet'), levelOf('enterprise')]).toEqual([
      1,
      2,
      3,
      4,
      null,
    ]);
  });

  it('never lets a unit type be its own administrative parent type (no cycle is possible on the administrative divisions)', () => {
    for (const t of ['province', 'district', 'commune', 'hamlet'] as const)
      expect(UNIT_TYPE_RULES[t].administrative.types).not.toContain(t);
  });

  it('gives a province no parent on either tree', () => {
    expect(validateDrafts([draft('84', 'province')], held())).toEqual([]);
    const issues = validateDrafts([draft('85', 'province', '84', '84')], held(province));
    expect(issues.map((i) => i.field).sort()).toEqual(['accountableToCode', 'adminParentCode']);
  });

  it('given a commune under a district, accepts it and makes it accountable to the district by default', () => {
    const d = draft('29236', 'commune', '842');
    expect(d.accountableToCode).toBe('842');
    expect(validateDrafts([d], held(province, district))).toEqual([]);
  });

  it('given a commune directly under the province, refuses the wrong parent type', () => {
    const issues = validateDrafts([draft('29236', 'commune', '84')], held(province));
    expect(issues).toContainEqual(
      expect.objectContaining({
        field: 'adminParentCode',
        message: expect.stringContaining('cannot have a province (84) as administrative parent'),
      }),
    );
  });

  it('accepts an enterprise answering to an industrial park and refuses one answering to a commune', () => {
    const park = node('KCN', 'industrial_park', null, 'BQL');
    const board = node('BQL', 'department', null, '84');
    expect(validateDrafts([draft('E1', 'enterprise', null, 'KCN')], held(province, board, park))).toEqual([]);
    const commune = node('29236', 'commune', '842', '842');
    expect(validateDrafts([draft('E2', 'enterprise', null, '29236')], held(province, district, commune))).toHaveLength(1);
  });

  it('accepts a transport hub under the Department of Transport or a transport enterprise, and requires one', () => {
    const dot = node('SO-GTVT', 'department', null, '84');
    const ent = node('BUS-CO', 'enterprise', null, 'SO-GTVT');
    expect(
      validateDrafts(
        [draft('H1', 'transport_hub', null, 'SO-GTVT'), draft('H2', 'transport_hub', null, 'BUS-CO')],
        held(province, dot, ent),
      ),
    ).toEqual([]);
    expect(validateDrafts([draft('H3', 'transport_hub')], held(province))[0].message).toMatch(/needs a parent on the accountability tree/);
  });

  it('refuses a missing parent, a retired parent and a bloc on a commune', () => {
    const retired = node('843', 'district', '84', '84', false);
    const issues = validateDrafts(
      [draft('1', 'commune', '999'), draft('2', 'commune', '843', null, { bloc: 'state' })],
      held(province, retired),
    );
    expect(issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('parent 999 does not exist'),
        expect.stringContaining('parent 843 is retired'),
        expect.stringContaining('has no bloc'),
      ]),
    );
  });

  it('reports a duplicate code in one batch against the later entry', () => {
    const issues = validateDrafts([draft('842', 'district', '84'), draft('842', 'district', '84')], held(province));
    expect(issues).toEqual([{ index: 1, field: 'code', message: expect.stringContaining('duplicate code 842') }]);
  });

  it('finds a cycle through the whole ancestry on the accountability tree, in the batch and against held units', () => {
    const a = node('A', 'mass_org', null, '84');
    const b = node('B', 'mass_org', null, 'A');
    const c = node('C', 'mass_org', null, 'B');
    // A now answers to C, which answers (through B) to A.
    const issues = validateDrafts([draft('A', 'mass_org', null, 'C')], held(province, a, b, c));
    expect(issues).toEqual([
      expect.objectContaining({ field: 'accountableToCode', message: 'cycle on the accountability tree: A → C → B → A' }),
    ]);
    expect(validateDrafts([draft('X', 'mass_org', null, 'Y'), draft('Y', 'mass_org', null, 'X')], held(province))).toHaveLength(2);
  });

  it('refuses a type change that the held children would no longer accept', () => {
    const commune = node('29236', 'commune', '842', '842');
    const issues = validateDrafts([draft('842', 'commune', '842')], held(province, district, commune));
    expect(issues.some((i) => i.field === 'type' && i.message.includes('29236'))).toBe(true);
  });
});

describe('findCycle', () => {
  const parents: Record<string, string | null> = { a: 'b', b: 'c', c: 'a', d: 'e', e: 'f', f: 'e', g: null };
  it('returns the loop through the unit, walking the whole ancestry', () =>
    expect(findCycle('a', (c) => parents[c])).toEqual(['a', 'b', 'c', 'a']));
  it('returns null for a loop above the unit that does not pass through it', () => expect(findCycle('d', (c) => parents[c])).toBeNull());
  it('returns null for a root', () => expect(findCycle('g', (c) => parents[c])).toBeNull());
});

describe('parentsFirst', () => {
  it('puts parents given later in the batch before their children', () => {
    const items = [draft('29236', 'commune', '842'), draft('842', 'district', '84'), draft('84', 'province')].map((d) => ({ draft: d }));
    expect(parentsFirst(items).map((i) => i.draft.code)).toEqual(['84', '842', '29236']);
  });
});
