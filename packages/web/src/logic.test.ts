import { describe, expect, it } from 'vitest';
import { actionsFor, genericAction, offeredActions } from './actions';
import { ApiError, apiUrl } from './api/client';
import type { ApplicationState, Role } from './api/types';
import { formatMeasure } from './format';
import { ROLE_REVIEW_STATE } from './labels';
import { MENU, homeFor, menuFor } from './layout/menu';

describe('formatMeasure (测量值显示)', () => {
  it('shows ranges, numbers, booleans, objects and missing values', () => {
    expect(formatMeasure([20480, 40960])).toBe('20480–40960');
    expect(formatMeasure(2.456)).toBe('2.46');
    expect(formatMeasure(300)).toBe('300');
    expect(formatMeasure(true)).toBe('是');
    expect(formatMeasure(null)).toBe('—');
    expect(formatMeasure({ jfif: 300, exif: null })).toBe('jfif=300，exif=—');
    expect(formatMeasure([1, 2, 3])).toBe('1, 2, 3');
  });
});

describe('review actions offered per role and state', () => {
  it('maps the server level-specific action names to buttons', () => {
    expect(genericAction('city_approve')).toBe('approve');
    expect(genericAction('province_return')).toBe('return');
    expect(genericAction('national_reject')).toBe('reject');
    expect(genericAction('something_else')).toBeNull();
    expect(offeredActions('city_reviewer', { state: 'submitted', actions: ['city_approve', 'city_return'] })).toEqual(['approve', 'return']);
    // the server's list wins over the role table, even when empty
    expect(offeredActions('city_reviewer', { state: 'submitted', actions: [] })).toEqual([]);
  });

  it('each reviewer acts only on the state waiting at their level', () => {
    const states: ApplicationState[] = ['draft', 'applied', 'submitted', 'city_approved', 'province_approved', 'graduated', 'returned', 'rejected_final'];
    for (const role of ['city_reviewer', 'province_reviewer', 'national_reviewer'] as Role[]) {
      const acting = states.filter((s) => actionsFor(role, s).length > 0);
      expect(acting).toEqual([ROLE_REVIEW_STATE[role]]);
    }
    expect(actionsFor('national_reviewer', 'province_approved')).toContain('reject');
    expect(actionsFor('city_reviewer', 'submitted')).not.toContain('reject');
    expect(actionsFor('centre_staff', 'returned')).toEqual(['submit']);
    expect(actionsFor('student', 'draft')).toEqual(['apply']);
    expect(actionsFor('student', 'applied')).toEqual([]);
  });
});

describe('menus per role (按角色显示菜单)', () => {
  it('students see only their own page; staff never see it', () => {
    expect(menuFor('student').map((m) => m.path)).toEqual(['/me']);
    expect(homeFor('student')).toBe('/me');
    for (const role of ['centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'admin'] as Role[]) {
      const paths = menuFor(role).map((m) => m.path);
      expect(paths).toContain('/dashboard');
      expect(paths).toContain('/review');
      expect(paths).not.toContain('/me');
    }
    expect(menuFor('collector').map((m) => m.path)).not.toContain('/review');
    expect(menuFor('city_reviewer').map((m) => m.path)).not.toContain('/import');
    expect(new Set(MENU.map((m) => m.path)).size).toBe(MENU.length);
  });
});

describe('apiUrl and ApiError', () => {
  it('builds /api URLs without empty query values', () => {
    expect(apiUrl('/students', { q: '张', state: undefined, page: 2, flag: '' })).toBe(`/api/students?q=${encodeURIComponent('张')}&page=2`);
    expect(apiUrl('/api/batches')).toBe('/api/batches');
    expect(apiUrl('batches', { ids: [1, 2] })).toBe('/api/batches?ids=1%2C2');
  });
  it('keeps the stable code and the Chinese message', () => {
    const e = new ApiError(409, 'WINDOW_CLOSED', '不在提交窗口内');
    expect([e.status, e.code, e.message]).toEqual([409, 'WINDOW_CLOSED', '不在提交窗口内']);
  });
});
