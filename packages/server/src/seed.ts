import type { FastifyInstance } from 'fastify';
import type { Role } from '@gradpass/core';

/** What the demo seed created: the logins to print. */
export interface DemoSeed {
  password: string;
  logins: Array<{ username: string; role: Role; org: string; displayName: string }>;
}

export const DEMO_PASSWORD = 'gradpass2026';

/**
 * Seeds a DEMO organisation tree, users for every role, a batch and a few students on an empty database
 * (演示数据). Returns null when the database already has organisations.
 */
export async function seedDemo(
  app: FastifyInstance,
  opts: { password?: string; today?: Date; mustChangePassword?: boolean } = {},
): Promise<DemoSeed | null> {
  const { repos, services } = app.ctx;
  if ((await repos.orgs.count()) > 0) return null;
  const password = opts.password ?? DEMO_PASSWORD;
  const org = (
    name: string,
    kind: 'national' | 'province' | 'city' | 'centre' | 'collection_centre',
    parentId: number | null,
  ) => services.orgs.create(null, { name, kind, parentId });
  const national = await org('国家开放大学', 'national', null);
  const province = await org('山东开放大学', 'province', national.id);
  const city = await org('济南市开放大学', 'city', province.id);
  const centreA = await org('济南市开放大学历下学习中心', 'centre', city.id);
  const centreB = await org('济南市开放大学章丘学习中心', 'centre', city.id);
  const collection = await org('新华社山东图像采集中心', 'collection_centre', province.id);

  const students = [
    {
      xuehao: '1837001200001',
      idCard: '370102199001011231',
      name: '张伟',
      orgId: centreA.id,
      programme: '行政管理',
      level: '本科',
      enrolTerm: '2018春',
    },
    {
      xuehao: '2337001200002',
      idCard: '370102199503152341',
      name: '李娜',
      orgId: centreA.id,
      programme: '会计学',
      level: '本科',
      enrolTerm: '2023秋',
    },
    {
      xuehao: '2337001200003',
      idCard: '370181199807204417',
      name: '王芳',
      orgId: centreA.id,
      programme: '计算机应用技术',
      level: '专科',
      enrolTerm: '2023秋',
      continuing: true,
    },
    {
      xuehao: '2437001200004',
      idCard: '370181200002281218',
      name: '刘洋',
      orgId: centreB.id,
      programme: '学前教育',
      level: '专科',
      enrolTerm: '2024春',
    },
    {
      xuehao: '1737001250005',
      idCard: '370102198808080014',
      name: '陈静',
      orgId: centreB.id,
      programme: '法学',
      level: '本科',
      enrolTerm: '2017秋',
    },
  ];
  const created = [];
  for (const s of students) created.push(await services.students.create(null, s));

  const users: Array<{ username: string; role: Role; orgId: number; displayName: string; studentId?: number }> = [
    { username: 'admin', role: 'admin', orgId: national.id, displayName: '系统管理员' },
    { username: 'guokai', role: 'national_reviewer', orgId: national.id, displayName: '国开终审员' },
    { username: 'shandong', role: 'province_reviewer', orgId: province.id, displayName: '山东开大复审员' },
    { username: 'jinan', role: 'city_reviewer', orgId: city.id, displayName: '济南开大审批员' },
    { username: 'lixia', role: 'centre_staff', orgId: centreA.id, displayName: '历下学习中心老师' },
    { username: 'zhangqiu', role: 'centre_staff', orgId: centreB.id, displayName: '章丘学习中心老师' },
    { username: 'caiji', role: 'collector', orgId: collection.id, displayName: '图像采集中心' },
    {
      username: created[1].xuehao,
      role: 'student',
      orgId: centreA.id,
      displayName: created[1].name,
      studentId: created[1].id,
    },
  ];
  // In production (DEMO=1) the published demo password must be changed at each account's first login.
  const mustChangePassword = opts.mustChangePassword ?? false;
  for (const u of users) await services.auth.createUser(null, { ...u, password, mustChangePassword });

  await services.batches.create(
    null,
    {
      name: '2026年1月毕业',
      firstWindow: { start: '2025-12-08', end: '2025-12-19' },
      secondWindow: { start: null, end: '2026-03-31' },
      deadline: '2026-03-31',
    },
    province.id,
  );
  // The collection centre's 特征码 for this year (seed 004: “yknmcm，2025 年有效”).
  const today0 = opts.today ?? new Date();
  await repos.collection.insertFeatureCode({
    collection_org_id: collection.id,
    code: 'yknmcm',
    year: Number(new Date(today0.getTime() + 8 * 3600_000).toISOString().slice(0, 4)),
    created_at: today0.toISOString(),
  });

  // A second batch whose first window is open around the day the demo starts, so the whole flow can be tried at once.
  const today = opts.today ?? new Date();
  const day = (d: number) => new Date(today.getTime() + 8 * 3600_000 + d * 86400_000).toISOString().slice(0, 10);
  const y = Number(day(200).slice(0, 4));
  await services.batches.create(
    null,
    {
      name: `${y}年1月毕业（演示）`,
      firstWindow: { start: day(-7), end: day(21) },
      secondWindow: { start: null, end: day(120) },
      deadline: day(120),
    },
    province.id,
  );
  return {
    password,
    logins: users.map((u) => ({
      username: u.username,
      role: u.role,
      displayName: u.displayName,
      org: [national, province, city, centreA, centreB, collection].find((o) => o.id === u.orgId)?.name ?? '',
    })),
  };
}
