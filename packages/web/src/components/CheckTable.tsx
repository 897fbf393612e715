/** The photo's check results (检测结果): rule, status, measured value vs limit, Chinese message and hint. */
import { Table, Tag, Typography } from 'antd';
import { RULES } from '@gradpass/photo/rules';
import type { CheckResult } from '../api/types';
import { formatMeasure, type Measure } from '../format';

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

export function CheckTable({ checks, onlyProblems = false }: { checks: CheckResult[] | null | undefined; onlyProblems?: boolean }) {
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
      data-testid="check-table"
      columns={[
        { title: '规则', dataIndex: 'id', width: 150, render: (id: string) => <span title={id}>{ruleName(id)}</span> },
        { title: '结果', dataIndex: 'status', width: 76, render: (s: CheckResult['status']) => <Tag color={STATUS[s].color}>{STATUS[s].label}</Tag> },
        { title: '测量值', dataIndex: 'value', width: 120, render: (v: Measure) => <span style={{ fontSize: 12, wordBreak: 'break-all' }}>{formatMeasure(v)}</span> },
        { title: '限值', dataIndex: 'limit', width: 100, render: (v: Measure) => <span style={{ fontSize: 12, wordBreak: 'break-all' }}>{formatMeasure(v)}</span> },
        {
          title: '说明',
          dataIndex: 'message',
          render: (m: string, c) => (
            <>
              <div>{m}</div>
              {c.hint && <Typography.Text type="secondary">建议：{c.hint}</Typography.Text>}
            </>
          ),
        },
      ]}
    />
  );
}
