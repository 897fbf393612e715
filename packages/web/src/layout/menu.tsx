/** The menu each role sees (按角色显示菜单). Pure data: one place to read what a role can reach. */
import {
  ApartmentOutlined,
  AuditOutlined,
  BellOutlined,
  CalendarOutlined,
  CameraOutlined,
  DashboardOutlined,
  FileProtectOutlined,
  HistoryOutlined,
  KeyOutlined,
  PictureOutlined,
  IdcardOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
  UploadOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Role } from '../api/types';
import { OPERATIONS, type Operation } from '../permissions';

const ROLES_WITH = (op: Operation): Role[] => [...OPERATIONS[op]];

export interface MenuEntry {
  path: string;
  label: string;
  icon: ReactNode;
  roles: Role[];
}

const STAFF: Role[] = ['centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'admin'];
const REVIEWERS: Role[] = ['centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'admin'];

export const MENU: MenuEntry[] = [
  // Collection centres (collector) work only their orders: the students and photos of the audit are not theirs.
  { path: '/dashboard', label: '工作台', icon: <DashboardOutlined />, roles: STAFF },
  { path: '/students', label: '学生与学籍', icon: <TeamOutlined />, roles: STAFF },
  { path: '/photos', label: '照片检测', icon: <CameraOutlined />, roles: STAFF },
  { path: '/import', label: '导入名册与照片', icon: <UploadOutlined />, roles: ['centre_staff', 'admin'] },
  // The history of every import (roster, photos, 学信网 flags) in one's subtree.
  { path: '/imports', label: '导入记录', icon: <HistoryOutlined />, roles: STAFF },
  { path: '/student-accounts', label: '学生账号', icon: <KeyOutlined />, roles: ['centre_staff', 'admin'] },
  { path: '/review', label: '毕业审核', icon: <AuditOutlined />, roles: REVIEWERS },
  { path: '/identity', label: '身份复核', icon: <IdcardOutlined />, roles: ['centre_staff', 'province_reviewer', 'admin'] },
  { path: '/batches', label: '毕业批次', icon: <CalendarOutlined />, roles: STAFF },
  { path: '/certificates', label: '证书发放', icon: <SafetyCertificateOutlined />, roles: ['centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'admin'] },
  { path: '/collection', label: '图像采集订单', icon: <PictureOutlined />, roles: [...STAFF, 'collector'] },
  { path: '/audit', label: '操作记录', icon: <FileProtectOutlined />, roles: STAFF },
  { path: '/accounts', label: '用户与机构', icon: <ApartmentOutlined />, roles: ROLES_WITH('manage_accounts') },
  { path: '/me', label: '我的毕业申请', icon: <UserOutlined />, roles: ['student'] },
  // Staff: their organisation's channels and their own e-mail (students reach their e-mail from 我的账号).
  { path: '/notifications', label: '消息通知', icon: <BellOutlined />, roles: [...STAFF, 'collector'] },
];

export function menuFor(role: Role): MenuEntry[] {
  return MENU.filter((m) => m.roles.includes(role));
}

export function homeFor(role: Role): string {
  if (role === 'student') return '/me';
  return role === 'collector' ? '/collection' : '/dashboard';
}
