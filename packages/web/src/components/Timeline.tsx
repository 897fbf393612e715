/** The application timeline (办理记录): who did what, when, and why. */
import { Empty, Timeline, Typography } from 'antd';
import type { ApplicationState, AuditEntry } from '../api/types';
import { ACTION_LABEL, STATE_LABEL } from '../labels';
import { fmtTime } from './common';

function stateOf(o: Record<string, unknown> | null): string | null {
  const s = o?.state;
  return typeof s === 'string' ? (STATE_LABEL[s as ApplicationState] ?? s) : null;
}

export function AuditTimeline({ entries }: { entries: AuditEntry[] | undefined }) {
  if (!entries?.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无记录" />;
  const sorted = [...entries].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <Timeline
      data-testid="timeline"
      items={sorted.map((e) => {
        const from = stateOf(e.before);
        const to = stateOf(e.after);
        const bad = e.action === 'return' || e.action === 'reject';
        return {
          color: bad ? 'red' : e.action === 'approve' || e.action === 'graduate' ? 'green' : 'blue',
          content: (
            <div>
              <Typography.Text strong title={`代码：${e.action}`}>{ACTION_LABEL[e.action] ?? '其他操作'}</Typography.Text>
              {from && to && from !== to && (
                <Typography.Text type="secondary">
                  {' '}
                  （{from} → {to}）
                </Typography.Text>
              )}
              <div>
                <Typography.Text type="secondary">
                  {fmtTime(e.at)} · {e.actorName ?? '系统'}
                </Typography.Text>
              </div>
              {e.reason && <div style={{ color: bad ? '#cf1322' : undefined }}>原因：{e.reason}</div>}
            </div>
          ),
        };
      })}
    />
  );
}
