/**
 * `name`: the file name is the student's 学号 or 身份证号 per profile.fileNaming, and (when a roster look-up
 * is given) resolves to a student of the roster. 文件命名
 */
import { identify, parseIdCard, parseXuehao } from '@gradpass/ids';
import { type CheckContext, result } from './context.js';
import type { CheckResult } from '../types.js';

/** The file name without folders, archive prefix and extension. */
export function stemOf(fileName: string): string {
  const base = fileName.split(/[\\/!]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

const WANT = { xuehao: '13 位学号', idcard: '18 位身份证号', either: '学号或身份证号', none: '不限' } as const;
const LABEL = { xuehao: '学号', idcard: '身份证号', either: '学号或身份证号', none: '' } as const;

export function checkName(ctx: CheckContext): CheckResult {
  const naming = ctx.profile.fileNaming;
  const stem = stemOf(ctx.fileName);
  const limit = naming;
  if (naming === 'none') return result('name', 'pass', stem, limit, `本规格不限文件命名（文件名“${stem}”）`);
  let id: string | null = null;
  let problem = '';
  let code = 'NAME_INVALID';
  let note = '';
  if (naming === 'xuehao') {
    const r = parseXuehao(stem);
    if (r.ok) {
      id = r.info.value;
      if (r.warnings.length) note = `；注意：${r.warnings.join('；')}`;
    } else {
      problem = r.message;
      code = 'NAME_NOT_XUEHAO';
    }
  } else if (naming === 'idcard') {
    const r = parseIdCard(stem);
    if (r.ok) {
      id = r.info.value;
      if (stem.endsWith('x')) note = '；末位为小写 x，建议改为大写 X';
    } else {
      problem = r.problem.message;
      code = r.problem.code === 'IDCARD_FORMAT' ? 'NAME_NOT_IDCARD' : `NAME_${r.problem.code}`;
    }
  } else {
    const r = identify(stem);
    if (r.kind !== 'unknown') id = r.value;
    else {
      problem = `“${stem}”既不是 13 位学号，也不是有效的身份证号`;
      code = 'NAME_NOT_IDENTIFIER';
    }
  }
  if (id === null) {
    return result('name', 'fail', stem, limit, `文件名不符合要求：${problem}（应为${WANT[naming]}）`, `把文件改名为学生的${WANT[naming]}，可用 gradpass rename 按名册批量改名`, code);
  }
  if (ctx.isKnownId && !ctx.isKnownId(id)) {
    return result('name', 'fail', id, limit, `文件名中的${LABEL[naming]} ${id} 不在名册中`, '核对名册或文件名是否有误', 'NAME_NOT_IN_ROSTER');
  }
  return result('name', 'pass', id, limit, `文件名为有效的${LABEL[naming]} ${id}${ctx.isKnownId ? '，在名册中' : ''}${note}`);
}
