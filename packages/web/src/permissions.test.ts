import { describe, expect, it } from 'vitest';
import { PERMISSIONS, authorise, type DomainAction } from '@gradpass/core/organisation';
import { candidateActions, type GraduationApplication } from '@gradpass/core/application';
import type { ApplicationState, Role } from './api/types';
import { applicationActionsFor, can } from './permissions';
import { genericAction } from './actions';
import { formatLocalDate, formatLocalTime } from './format';
import { hintForStaff, messageForStaff } from './staffWords';

const ROLES: Role[] = ['student', 'centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'collector', 'admin'];
const STATES: ApplicationState[] = ['draft', 'applied', 'submitted', 'city_approved', 'province_approved', 'graduated', 'returned', 'rejected_final'];

describe('buttons follow the server permission table (按钮权限)', () => {
  it('offers a domain action exactly when core authorise lets the role do it', () => {
    for (const role of ROLES) {
      for (const action of Object.keys(PERMISSIONS) as DomainAction[]) {
        const actor = { userId: '1', role, orgPath: '/1/', studentId: role === 'student' ? '5' : null };
        expect(can(role, action), `${role} ${action}`).toBe(authorise(actor, action, '/1/2/', '5').ok);
      }
    }
  });

  it('the two buttons the issue names: centre staff cannot confirm for a student; students cannot upload a photo', () => {
    expect(can('centre_staff', 'certificate_confirm')).toBe(false);
    expect(can('student', 'certificate_confirm')).toBe(true);
    expect(can('centre_staff', 'certificate_report_problem')).toBe(true);
    expect(can('student', 'replace_photo')).toBe(false);
    expect(can('collector', 'replace_photo')).toBe(false);
    expect(can('admin', 'replace_photo')).toBe(false);
    expect(can('centre_staff', 'replace_photo')).toBe(true);
  });

  it('application buttons per role and state equal core candidateActions for an actor in scope', () => {
    for (const role of ROLES) {
      for (const status of STATES) {
        const app = { id: '1', studentId: '5', batchId: '1', status, centrePath: '/1/2/' } as unknown as GraduationApplication;
        const actor = { userId: '1', role, orgPath: '/1/', studentId: role === 'student' ? '5' : null };
        const fromCore = [...new Set(candidateActions(app, actor).map(genericAction))];
        expect(applicationActionsFor(role, status).sort(), `${role} ${status}`).toEqual(fromCore.sort());
      }
    }
  });

  it('account pages only for administrators', () => {
    expect(ROLES.filter((r) => can(r, 'manage_accounts'))).toEqual(['admin']);
  });
});

describe('local times (北京时间)', () => {
  it('shows UTC instants in Asia/Shanghai as YYYY-MM-DD HH:mm; plain dates stay', () => {
    expect(formatLocalTime('2026-12-01T06:38:12.345Z')).toBe('2026-12-01 14:38');
    expect(formatLocalTime('2026-12-01T17:05:00Z')).toBe('2026-12-02 01:05');
    expect(formatLocalDate('2026-12-01T17:05:00Z')).toBe('2026-12-02');
    expect(formatLocalDate('2026-03-31')).toBe('2026-03-31');
    expect(formatLocalTime(null)).toBe('—');
  });
});

describe("clerk's words for photo checks", () => {
  it('turns command-line advice into what a clerk can do in the web app', () => {
    const staff = { canFix: true };
    const other = { canFix: false };
    expect(hintForStaff('用 gradpass fix 重新压缩', staff)).toBe('点“一键修正”重新压缩');
    expect(hintForStaff('用 gradpass fix 重新压缩', other)).toBe('请学习中心用“一键修正”重新压缩');
    expect(hintForStaff('用清晰的原图重新导出，或用 gradpass fix 重新压缩（质量不低于 75）', staff)).toBe('用清晰的原图重新导出，或点“一键修正”重新压缩（质量不低于 75）');
    expect(hintForStaff('把文件改名为学生的学号，可用 gradpass rename 按名册批量改名', staff)).toBe('把文件改名为学生的学号，改名后重新上传');
    expect(hintForStaff('文件可能在传输中损坏，请重新获取原图后用 gradpass fix 处理', other)).toBe('文件可能在传输中损坏，请重新获取原图后重新上传');
    expect(hintForStaff('请人工确认是否为彩色照片', other)).toBe('请人工确认是否为彩色照片');
    for (const h of ['用 gradpass fix --background blue', '运行 gradpass check --json']) expect(hintForStaff(h, staff)).not.toMatch(/gradpass|--/);
  });

  it('drops formulas and frame markers from messages, keeping the number', () => {
    expect(messageForStaff('彩色照片：色度 C=max(R,G,B)−min(R,G,B) 的 95% 分位数为 41（0–255），不低于 20')).toBe('彩色照片：色彩浓度 41（0–255），不低于 20');
    expect(messageForStaff('渐进式 JPEG（SOF2），应为基线 JPEG（SOF0）')).toBe('渐进式 JPEG，应为基线 JPEG');
  });
});
