import { describe, expect, it } from 'vitest';
import {
  PERMISSIONS,
  ROLES,
  actionsForRole,
  ancestorPaths,
  authorise,
  canActOn,
  childPath,
  isValidOrgPath,
  isWithinSubtree,
  orgDepth,
  parentPath,
  parseOrgPath,
  permissionFor,
  roleFitsLevel,
  type DomainAction,
} from './organisation.js';
import { PATHS, actor, expectOk, expectRefusal } from './test-support.js';

describe('materialised paths', () => {
  it('validates paths', () => {
    expect(isValidOrgPath('/1/3/7/')).toBe(true);
    expect(isValidOrgPath('/1/')).toBe(true);
    for (const bad of ['', '/', '1/3/', '/1/3', '/1//3/', '/1/ 3/']) expect(isValidOrgPath(bad)).toBe(false);
    expectRefusal(parseOrgPath('/1/3'), 'ORG_PATH_INVALID');
    expect(expectOk(parseOrgPath('/1/3/7/'))).toEqual(['1', '3', '7']);
  });

  it('isWithinSubtree works on whole segments', () => {
    expect(isWithinSubtree('/1/3/', '/1/3/7/42/')).toBe(true);
    expect(isWithinSubtree('/1/3/', '/1/3/')).toBe(true);
    expect(isWithinSubtree('/1/3/', '/1/30/')).toBe(false);
    expect(isWithinSubtree('/1/3/7/', '/1/3/')).toBe(false);
    expect(isWithinSubtree('/1/3', '/1/3/7/')).toBe(false);
  });

  it('parent, ancestors, child, depth', () => {
    expect(parentPath('/1/3/7/')).toBe('/1/3/');
    expect(parentPath('/1/')).toBeNull();
    expect(ancestorPaths('/1/3/7/')).toEqual(['/1/', '/1/3/', '/1/3/7/']);
    expect(childPath('/1/3/', '7')).toBe('/1/3/7/');
    expect(() => childPath('/1/3/', 'a/b')).toThrow(/机构编号/);
    expect(orgDepth('/1/3/7/42/')).toBe(4);
  });

  it('canActOn: a user acts only inside their subtree', () => {
    expect(canActOn({ orgPath: PATHS.city }, PATHS.centre)).toBe(true);
    expect(canActOn({ orgPath: PATHS.city }, PATHS.otherCityCentre)).toBe(false);
    expect(canActOn({ orgPath: PATHS.national }, PATHS.otherCityCentre)).toBe(true);
    expect(canActOn({ orgPath: PATHS.centre }, PATHS.city)).toBe(false);
  });
});

describe('permissions', () => {
  it('every action has at least one role and a Chinese label', () => {
    for (const [action, p] of Object.entries(PERMISSIONS)) {
      expect(p.action).toBe(action);
      expect(p.roles.length).toBeGreaterThan(0);
      expect(/[\u4e00-\u9fff]/.test(p.label)).toBe(true);
      for (const r of p.roles) expect(ROLES).toContain(r);
    }
  });

  it('each review level is its own role; admins do not review', () => {
    expect(permissionFor('submit').roles).toEqual(['centre_staff']);
    expect(permissionFor('city_approve').roles).toEqual(['city_reviewer']);
    expect(permissionFor('province_return').roles).toEqual(['province_reviewer']);
    expect(permissionFor('national_approve').roles).toEqual(['national_reviewer']);
    expect(permissionFor('identity_approve').roles).toEqual(['province_reviewer']);
    expect(permissionFor('certificate_confirm').roles).toEqual(['student']);
    expect(permissionFor('city_approve').levels).toEqual(['city']);
    expect(permissionFor('province_approve').levels).toEqual(['province']);
    expect(permissionFor('national_approve').levels).toEqual(['national']);
    expect(permissionFor('apply').levels).toEqual(['centre']);
    expect(permissionFor('configure_batch').levels).toEqual(['province']);
    expect(actionsForRole('national_reviewer')).toEqual(['national_approve', 'national_reject']);
    expect(actionsForRole('collector')).toEqual(expect.arrayContaining(['collection_first_review_pass', 'collection_reject', 'collection_ship']));
    const reviews: DomainAction[] = ['submit', 'city_approve', 'city_return', 'province_approve', 'province_return', 'national_approve', 'national_reject'];
    for (const a of reviews) expect(permissionFor(a).roles).not.toContain('admin');
  });

  it('roles fit their level', () => {
    expect(roleFitsLevel('city_reviewer', 'city')).toBe(true);
    expect(roleFitsLevel('city_reviewer', 'province')).toBe(false);
    expect(roleFitsLevel('admin', 'centre')).toBe(true);
    expect(roleFitsLevel('collector', 'collection_centre')).toBe(true);
  });

  it('authorise: NOT_PERMITTED for the wrong role, OUT_OF_SCOPE outside the subtree, students only for themselves', () => {
    expectOk(authorise(actor('city_reviewer'), 'city_approve', PATHS.centre));
    const m = expectRefusal(authorise(actor('centre_staff'), 'city_approve', PATHS.centre), 'NOT_PERMITTED');
    expect(m).toContain('市级开大审批人员');
    expectRefusal(authorise(actor('city_reviewer', { orgPath: PATHS.otherCity }), 'city_approve', PATHS.centre), 'OUT_OF_SCOPE');
    expectOk(authorise(actor('student'), 'apply', PATHS.centre, 's1'));
    expectRefusal(authorise(actor('student'), 'apply', PATHS.centre, 's2'), 'NOT_PERMITTED');
    expectRefusal(authorise(actor('student'), 'apply', PATHS.centre, null), 'NOT_PERMITTED');
  });
});
