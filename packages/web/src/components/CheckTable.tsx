/** The photo's check results (检测结果): rule, status, measured value vs limit, Chinese message and hint. */
import { Table, Tag, Typography } from 'antd';
import { RULES } from '@gradpass/photo/rules';
import type { CheckResult } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { formatMeasure } from '../format';
import { can } from '../permissions';
import { hintForStaff, messageForStaff } from '../staffWords';

export { formatMeasure };

const STATUS: Record<CheckResult['status'], { color: string; label: string }> = {
  pass: { color: 'success', label: '通过' },
  fail: { color: 'error', label: '不通过' },
  review: { color: 'warning', label: '需复核' },
  skip: { color: 'default', label: '未检' },
};

export function ruleName(id: string): string {
  return (RULES as Record<string, { zh: string }>)[id]?.zh ?? id;
}

/** What support staff need and clerks do not read: rule id, code, measured value and limit. In the tooltip. */
function technical(c: CheckResult): string {
  const parts = [`规则 ${c.id}`];
  if (c.code) parts.push(`代码 ${c.code}`);
  if (c.value !== null && c.value !== undefined) parts.push(`测量值 ${formatMeasure(c.value)}`);
  if (c.limit !== null && c.limit !== undefined) parts.push(`限值 ${formatMeasure(c.limit)}`);
  if (messageForStaff(c.message) !== c.message) parts.push(`原始说明 ${c.message}`);
  return parts.join('；');
}

/**
 * The results as clerks read them: rule, verdict, and the Chinese explanation in their words (the plain
 * number and limit, the place in the photo in words: `messageForStaff`) with a fix they can do in the web
 * app. Codes, raw measures and the engine's own message stay in the rule's tooltip.
 */
export function CheckTable({
  checks,
  onlyProblems = false,
  frame,
}: {
  checks: CheckResult[] | null | undefined;
  onlyProblems?: boolean;
  /** The photo's frame (profile size), for places told in words; the standard 480×640 when not given. */
  frame?: { width: number; height: number };
}) {
  const user = useUser();
  const reader = { canFix: can(user.role, 'replace_photo') };
  if (!checks) return <Typography.Text type="secondary">尚未检测</Typography.Text>;
  const rows = onlyProblems ? checks.filter((c) => c.status === 'fail' || c.status === 'review') : checks;
  const order = { fail: 0, review: 1, skip: 2, pass: 3 } as const;
  const sorted = [...rows].sort((a, b) => order[a.status] - order[b.status]);
  return (
    <Table<CheckResult>
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={sorted}
      tableLayout="fixed"
      data-testid="check-table"
      columns={[
        {
          title: '规则',
          dataIndex: 'id',
          width: 128,
          render: (id: string, c) => (
            <span title={technical(c)} data-rule={id} data-code={c.code}>
              {ruleName(id)}
            </span>
          ),
        },
        { title: '结果', dataIndex: 'status', width: 80, render: (s: CheckResult['status']) => <Tag color={STATUS[s].color}>{STATUS[s].label}</Tag> },
        {
          title: '说明',
          dataIndex: 'message',
          render: (m: string, c) => {
            const hint = hintForStaff(c.hint, reader);
            return (
              <>
                <div data-testid="check-message">{messageForStaff(m, frame)}</div>
                {hint && (
                  <Typography.Text type="secondary" data-testid="check-hint">
                    建议：{hint}
                  </Typography.Text>
                )}
              </>
            );
          },
        },
      ]}
    />
  );
}
