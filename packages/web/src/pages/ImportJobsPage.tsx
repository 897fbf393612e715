/**
 * Import history (导入记录): every roster, photo archive and 学信网 flag import with who, when, the file and its
 * counts; open one for its per-row report, download it as Excel. While an import is still running on the server
 * the page asks again every two seconds — a refresh during an import loses nothing.
 */
import { Alert, Button, Card, Descriptions, Drawer, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useApi } from '../api/hooks';
import { ExportButton, fmtTime } from '../components/common';

export interface ImportJob {
  id: number;
  kind: 'roster' | 'photos' | 'flags';
  kindLabel: string;
  orgName: string;
  userName: string;
  fileName: string;
  sha256: string | null;
  bytes: number;
  status: 'running' | 'done' | 'failed';
  statusLabel: string;
  startedAt: string;
  finishedAt: string | null;
  total: number;
  okCount: number;
  failedCount: number;
  skippedCount: number;
  summary: string | null;
  errorMessage: string | null;
  reportRows: number;
  reportTruncated: boolean;
}
interface ReportRow {
  ref: string;
  status: 'ok' | 'failed' | 'skipped' | 'info';
  xuehao?: string;
  name?: string;
  code?: string;
  message: string;
}
const ROW_STATUS: Record<ReportRow['status'], { label: string; color: string }> = {
  ok: { label: '成功', color: 'green' },
  failed: { label: '失败', color: 'red' },
  skipped: { label: '跳过', color: 'purple' },
  info: { label: '提示', color: 'default' },
};
const JOB_COLOR: Record<ImportJob['status'], string> = { running: 'processing', done: 'green', failed: 'red' };
const POLL_MS = 2000;

/** Re-runs `reload` every two seconds while `running`. */
function usePoll(running: boolean, reload: () => void) {
  useEffect(() => {
    if (!running) return;
    const t = setInterval(reload, POLL_MS);
    return () => clearInterval(t);
  }, [running, reload]);
}

export function ImportJobsPage() {
  const [kind, setKind] = useState<ImportJob['kind'] | undefined>(undefined);
  const list = useApi<{ items: ImportJob[] }>('/import-jobs', { query: { kind, limit: 100 } });
  const [openId, setOpenId] = useState<number | null>(null);
  usePoll(!!list.data?.items.some((j) => j.status === 'running'), list.reload);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="import-jobs-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        导入记录
      </Typography.Title>
      <Card size="small">
        <Space wrap>
          <Select
            allowClear
            placeholder="全部类别"
            style={{ width: 160 }}
            value={kind}
            onChange={setKind}
            options={[
              { value: 'roster', label: '学生名册' },
              { value: 'photos', label: '照片压缩包' },
              { value: 'flags', label: '学信网标记' },
            ]}
          />
          <Button onClick={list.reload}>刷新</Button>
        </Space>
      </Card>
      <Table<ImportJob>
        size="small"
        rowKey="id"
        loading={list.loading && !list.data}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 1100 }}
        pagination={{ pageSize: 20 }}
        data-testid="import-jobs-table"
        columns={[
          { title: '开始时间', dataIndex: 'startedAt', width: 150, render: (t: string) => fmtTime(t) },
          { title: '类别', dataIndex: 'kindLabel', width: 100 },
          { title: '文件', dataIndex: 'fileName', render: (f: string) => <span style={{ wordBreak: 'break-all' }}>{f}</span> },
          { title: '单位', dataIndex: 'orgName', width: 170 },
          { title: '操作人', dataIndex: 'userName', width: 150 },
          { title: '状态', dataIndex: 'status', width: 90, render: (s: ImportJob['status'], j) => <Tag color={JOB_COLOR[s]}>{j.statusLabel}</Tag> },
          {
            title: '结果',
            width: 200,
            render: (_, j) =>
              j.status === 'done' ? (
                <Space size={4} wrap>
                  <Tag color="green">成功 {j.okCount}</Tag>
                  {j.skippedCount > 0 && <Tag color="purple">跳过 {j.skippedCount}</Tag>}
                  {j.failedCount > 0 && <Tag color="red">失败 {j.failedCount}</Tag>}
                </Space>
              ) : (
                (j.errorMessage ?? '')
              ),
          },
          {
            title: '操作',
            width: 90,
            fixed: 'right',
            render: (_, j) => (
              <Button size="small" onClick={() => setOpenId(j.id)} data-testid="import-job-open">
                查看报告
              </Button>
            ),
          },
        ]}
      />
      {openId !== null && <ImportJobDrawer id={openId} onClose={() => setOpenId(null)} />}
    </Space>
  );
}

/** One import: its facts, counts and per-row report (polled while it runs). */
export function ImportJobDrawer({ id, onClose }: { id: number; onClose: () => void }) {
  const job = useApi<ImportJob & { report: ReportRow[] }>(`/import-jobs/${id}`);
  const [only, setOnly] = useState<ReportRow['status'] | undefined>(undefined);
  usePoll(job.data?.status === 'running', job.reload);
  const j = job.data;
  const rows = (j?.report ?? []).filter((r) => !only || r.status === only);
  return (
    <Drawer open onClose={onClose} size="large" title={j ? `${j.kindLabel}：${j.fileName}` : '导入报告'} data-testid="import-job-drawer">
      {j && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label="状态">
              <Tag color={JOB_COLOR[j.status]}>{j.statusLabel}</Tag>
              {j.status === 'running' && '正在导入，可离开此页，稍后回来查看'}
            </Descriptions.Item>
            <Descriptions.Item label="单位 / 操作人">{`${j.orgName} / ${j.userName}`}</Descriptions.Item>
            <Descriptions.Item label="时间">{`${fmtTime(j.startedAt)}${j.finishedAt ? ` 至 ${fmtTime(j.finishedAt)}` : ''}`}</Descriptions.Item>
            <Descriptions.Item label="结果">{j.summary ?? j.errorMessage ?? '—'}</Descriptions.Item>
          </Descriptions>
          {j.reportTruncated && <Alert type="warning" showIcon title={`报告行数过多，只保留了 ${j.report.length} 行（共 ${j.reportRows} 行，失败的行优先保留）`} />}
          <Space wrap>
            <Select
              allowClear
              placeholder="全部结果"
              style={{ width: 140 }}
              value={only}
              onChange={setOnly}
              options={Object.entries(ROW_STATUS).map(([value, v]) => ({ value, label: v.label }))}
            />
            <ExportButton path={`/import-jobs/${j.id}/report.xlsx`} name={`导入报告-${j.id}.xlsx`} label="下载报告（Excel）" />
          </Space>
          <Table<ReportRow>
            size="small"
            rowKey={(r, i) => `${r.ref}-${i}`}
            dataSource={rows}
            tableLayout="fixed"
            pagination={{ pageSize: 50, showTotal: (t) => `共 ${t} 行` }}
            data-testid="import-report-table"
            columns={[
              { title: '位置', dataIndex: 'ref', width: '26%', render: (r: string) => <span style={{ wordBreak: 'break-all' }}>{r}</span> },
              { title: '结果', dataIndex: 'status', width: 64, render: (s: ReportRow['status']) => <Tag color={ROW_STATUS[s].color}>{ROW_STATUS[s].label}</Tag> },
              { title: '学生', width: 120, render: (_, r) => (r.name ? `${r.name} ${r.xuehao ?? ''}` : (r.xuehao ?? '')) },
              { title: '说明', dataIndex: 'message', render: (m: string, r) => <span title={r.code ? `代码：${r.code}` : undefined}>{m}</span> },
            ]}
          />
        </Space>
      )}
    </Drawer>
  );
}
