/** Which review actions to offer (审核操作): pure functions, no React. The server still decides. */
import type { Application, ApplicationAction, ApplicationState, Role } from './api/types';

/** The generic action for one of the server's level-specific names (city_approve → approve…). */
export function genericAction(a: string): ApplicationAction | null {
  if (a === 'apply' || a === 'submit' || a === 'approve' || a === 'return' || a === 'reject') return a;
  if (a.endsWith('_approve')) return 'approve';
  if (a.endsWith('_return')) return 'return';
  if (a.endsWith('_reject')) return 'reject';
  return null;
}

/** The actions to offer on an application: the server's list when it sends one, else by role and state. */
export function offeredActions(role: Role, app: Pick<Application, 'state' | 'actions'>): ApplicationAction[] {
  if (app.actions) {
    const out: ApplicationAction[] = [];
    for (const a of app.actions) {
      const g = genericAction(a);
      if (g && !out.includes(g)) out.push(g);
    }
    return out;
  }
  return actionsFor(role, app.state);
}

/** What a role may do in a state (the server decides; this only chooses which buttons to show). */
export function actionsFor(role: Role, state: ApplicationState): ApplicationAction[] {
  const reviewer: Partial<Record<Role, ApplicationState>> = { city_reviewer: 'submitted', province_reviewer: 'city_approved', national_reviewer: 'province_approved' };
  if (role === 'student') return state === 'draft' ? ['apply'] : [];
  if (role === 'centre_staff') return state === 'draft' ? ['apply'] : state === 'applied' || state === 'returned' ? ['submit'] : [];
  if (role === 'admin') {
    if (state === 'draft') return ['apply'];
    if (state === 'applied' || state === 'returned') return ['submit'];
    if (state === 'province_approved') return ['approve', 'return', 'reject'];
    if (state === 'submitted' || state === 'city_approved') return ['approve', 'return'];
    return [];
  }
  if (reviewer[role] === state) return role === 'national_reviewer' ? ['approve', 'return', 'reject'] : ['approve', 'return'];
  return [];
}

