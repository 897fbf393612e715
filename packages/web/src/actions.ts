/** Which review actions to offer (审核操作): pure functions, no React. The server still decides. */
import type { Application, ApplicationAction, ApplicationState, Role } from './api/types';
import { applicationActionsFor } from './permissions';

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

/** What a role may do in a state: core's transitions allowed to the role (see permissions.ts). */
export function actionsFor(role: Role, state: ApplicationState): ApplicationAction[] {
  return applicationActionsFor(role, state);
}
