import { ScopeService, type Principal } from '@app/platform';
import { TreeSnapshot, type TreeUnitRow } from './replica.tree';

const unit = (code: string, type: string, admin: string | null = null, accountable: string | null = null, active = true): TreeUnitRow => ({
  code,
  type,
  active,
  admin_parent_code: admin,
  accountable_to_code: accountable,
});

describe('TreeSnapshot (the replica tree in memory)', () => {
  const tree = TreeSnapshot.of(7, [
    unit('P', 'province'),
    unit('D1', 'district', 'P'),
    unit('D2', 'district', 'P'),
    unit('C1', 'commune', 'D1'),
    unit('C2', 'commune', 'D2'),
    unit('DEPT', 'department', 'P'),
    // On the administrative tree under D1, accountable to a department: both are ancestors.
    unit('S1', 'school', 'C1', 'DEPT'),
    unit('EZ', 'economic_zone', 'P'),
    unit('E1', 'enterprise', 'EZ', null, false),
    // A parent the replica has not received yet is not an ancestor, and the walk stops there.
    unit('ORPHAN', 'commune', 'D-MISSING'),
    // A cycle (bad data) ends.
    unit('X', 'commune', 'Y'),
    unit('Y', 'commune', 'X'),
  ]);

  it('lists the ancestors on both trees, ordered by code, with their types', () => {
    expect(tree.describeNow('S1')).toEqual({
      type: 'school',
      active: true,
      ancestors: ['C1', 'D1', 'DEPT', 'P'],
      ancestorTypes: ['commune', 'district', 'department', 'province'],
    });
    expect(tree.describeNow('P')).toEqual({ type: 'province', active: true, ancestors: [], ancestorTypes: [] });
    expect(tree.describeNow('E1')).toEqual({
      type: 'enterprise',
      active: false,
      ancestors: ['EZ', 'P'],
      ancestorTypes: ['economic_zone', 'province'],
    });
  });

  it('answers null for an unknown unit, leaves out parents missing from the replica, and survives cycles', () => {
    expect(tree.describeNow('NOPE')).toBeNull();
    expect(tree.describeNow('ORPHAN')?.ancestors).toEqual([]);
    expect(tree.describeNow('X')?.ancestors).toEqual(['X', 'Y']);
  });

  it('answers isWithin like the SQL: the root itself, or one of its ancestors', async () => {
    await expect(tree.isWithin('C1', 'C1')).resolves.toBe(true);
    await expect(tree.isWithin('S1', 'DEPT')).resolves.toBe(true);
    await expect(tree.isWithin('S1', 'D1')).resolves.toBe(true);
    await expect(tree.isWithin('C2', 'D1')).resolves.toBe(false);
    await expect(tree.isWithin('NOPE', 'P')).resolves.toBe(false);
  });

  it('stops 32 steps up, as the recursive SQL does', () => {
    const chain = Array.from({ length: 40 }, (_, i) => unit(`U${i}`, 'commune', i === 0 ? null : `U${i - 1}`));
    const deep = TreeSnapshot.of(1, chain);
    const ancestors = deep.describeNow('U39')!.ancestors;
    expect(ancestors).toHaveLength(32);
    expect(ancestors).toContain('U7');
    expect(ancestors).not.toContain('U6');
  });

  it('gives ScopeService the same 404 / 422 / 403 answers, without asking isWithin again', async () => {
    const scope = new ScopeService(tree);
    const spy = jest.spyOn(tree, 'isWithin');
    const portal = (code: string): Principal => ({ keyId: 'k', role: 'portal', orgUnitCode: code });
    await expect(scope.assertCanWrite(portal('D1'), 'S1')).resolves.toMatchObject({ type: 'school' });
    await expect(scope.assertCanWrite(portal('DEPT'), 'S1')).resolves.toMatchObject({ type: 'school' });
    await expect(scope.assertCanWrite(portal('D2'), 'S1')).rejects.toMatchObject({ status: 403 });
    await expect(scope.assertCanWrite(portal('P'), 'NOPE')).rejects.toMatchObject({ status: 404 });
    await expect(scope.assertCanWrite(portal('P'), 'E1')).rejects.toMatchObject({ status: 422 });
    const board = (code: string | null): Principal => ({ keyId: 'k', role: 'ez_board', orgUnitCode: code });
    await expect(scope.mayWrite(board('EZ'), 'E1', tree.describeNow('E1'))).resolves.toBe(true);
    await expect(scope.mayWrite(board('D1'), 'E1', tree.describeNow('E1'))).resolves.toBe(false);
    await expect(scope.mayWrite(board(null), 'E1')).resolves.toBe(false);
    await expect(scope.mayWrite({ keyId: 'k', role: 'analyst', orgUnitCode: null }, 'C1')).resolves.toBe(false);
    expect(spy).not.toHaveBeenCalled();
  });
});
