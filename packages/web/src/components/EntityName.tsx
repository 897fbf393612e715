/**
 * The object of an audit entry by name (操作对象): "学生 王小明（2337001200001）", "毕业申请 王小明", "批次 2026年1月毕业" —
 * never "学生 #3". Names come from the entry itself where it carries them, else from the API (one request per
 * object, shared between entries).
 */
import { useEffect, useState } from 'react';
import { AUDIT_ENTITY_LABELS, auditObjectName } from '@gradpass/core/audit-words';
import { api } from '../api/client';
import { useBatches, useOrgs } from '../api/hooks';
import type { AuditEntry, User } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { can } from '../permissions';

export const ENTITY_LABEL: Record<string, string> = AUDIT_ENTITY_LABELS;

/** A name carried by the entry's own before/after record, if any. Pure. */
export function nameInEntry(e: Pick<AuditEntry, 'entity' | 'before' | 'after'>): string | null {
  return auditObjectName(e.before, e.after);
}

type Named = { studentName?: string; xuehao?: string; name?: string; fileName?: string };

const FETCH: Record<string, (id: string) => string> = {
  student: (id) => `/students/${id}`,
  application: (id) => `/applications/${id}`,
  certificate: (id) => `/certificates/${id}`,
  photo: (id) => `/photos/${id}`,
};

/** Names for the entries of one page: `${entity}:${id}` → name. */
export function useEntityNames(entries: AuditEntry[]): Map<string, string> {
  const user = useUser();
  const orgs = useOrgs();
  const batches = useBatches();
  const [fetched, setFetched] = useState<Map<string, string>>(new Map());
  const [users, setUsers] = useState<User[]>([]);
  const wantUsers = can(user.role, 'manage_accounts') && entries.some((e) => e.entity === 'user');
  useEffect(() => {
    if (!wantUsers) return;
    void api<{ items: User[] }>('/users').then((r) => setUsers(r.items), () => undefined);
  }, [wantUsers]);
  const missing = [...new Set(entries.filter((e) => FETCH[e.entity] && !nameInEntry(e)).map((e) => `${e.entity}:${e.entityId}`))].sort().join(',');
  useEffect(() => {
    if (!missing) return;
    const ctl = new AbortController();
    void Promise.all(
      missing.split(',').map(async (k) => {
        const [entity, id] = k.split(':') as [string, string];
        const r = await api<Named>(FETCH[entity]!(id), { signal: ctl.signal }).catch(() => null);
        const name = r ? (r.studentName ?? r.name ?? r.fileName ?? null) : null;
        return [k, name && r?.xuehao ? `${name}（${r.xuehao}）` : name] as const;
      }),
    ).then((pairs) => {
      if (!ctl.signal.aborted) setFetched(new Map(pairs.filter((p): p is readonly [string, string] => !!p[1])));
    });
    return () => ctl.abort();
  }, [missing]);
  const out = new Map<string, string>(fetched);
  for (const o of orgs.data?.items ?? []) out.set(`org:${o.id}`, o.name);
  for (const b of batches.data?.items ?? []) out.set(`batch:${b.id}`, b.name);
  for (const u of users) out.set(`user:${u.id}`, `${u.displayName}（${u.username}）`);
  for (const e of entries) {
    const n = nameInEntry(e);
    if (n) out.set(`${e.entity}:${e.entityId}`, n);
  }
  return out;
}

/** "学生 王小明（2337…）"; while the name loads, or when it cannot be known, just the kind of object. */
export function entityText(e: Pick<AuditEntry, 'entity' | 'entityId'>, names: Map<string, string>): string {
  const kind = ENTITY_LABEL[e.entity] ?? '记录';
  const name = names.get(`${e.entity}:${e.entityId}`);
  return name ? `${kind} ${name}` : kind;
}
