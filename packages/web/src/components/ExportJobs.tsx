/**
 * 后台导出 (background exports): starting one from an export button, and the 导出任务 drawer — the user's own
 * export jobs with a progress bar each (live through the server's `export` events) and a 下载 link once the file
 * is ready (kept 7 days).
 */
import { CloudDownloadOutlined, DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { Badge, Button, Drawer, Empty, List, Progress, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useApi, useServerEvents } from '../api/hooks';
import { formatLocalTime } from '../format';

export interface ExportJob {
  id: number;
  kind: string;
  kindLabel: string;
  fileName: string;
  orgName: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  statusLabel: string;
  totalRows: number;
  doneRows: number;
  percent: number;
  bytes: number;
  createdAt: string;
  finishedAt: string | null;
  expiresAt: string | null;
  errorMessage: string | null;
  downloadUrl: string | null;
}

type Query = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

/** The background route of an export download path: `/reports/students.xlsx` → `/export-jobs/students.xlsx`. */
export function backgroundPathOf(path: string): string | null {
  const report = /^\/reports\/([a-z-]+\.xlsx)$/.exec(path);
  if (report) return `/export-jobs/${report[1]}`;
  if (path === '/photos/export.zip') return '/export-jobs/photos.zip';
  return null;
}

/** Starts a background export with the same filters as the download and opens the 导出任务 drawer. */
export async function startBackgroundExport(path: string, query?: Query): Promise<ExportJob> {
  const target = backgroundPathOf(path);
  if (!target) throw new Error(`不支持后台导出：${path}`);
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    body[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const job = await api<ExportJob>(target, { body });
  openExportJobs();
  return job;
}

const OPEN = 'gradpass:open-export-jobs';
/** Opens the 导出任务 drawer (from anywhere on the page). */
export function openExportJobs(): void {
  window.dispatchEvent(new Event(OPEN));
}

const STATUS_COLOR: Record<ExportJob['status'], string> = {
  queued: 'default',
  running: 'processing',
  done: 'success',
  failed: 'error',
  expired: 'default',
};

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function JobItem({ job }: { job: ExportJob }) {
  const rows =
    job.status === 'done'
      ? `共 ${job.doneRows.toLocaleString('zh-CN')} 行 · ${size(job.bytes)}`
      : job.totalRows > 0
        ? `已导出 ${job.doneRows.toLocaleString('zh-CN')} / 约 ${job.totalRows.toLocaleString('zh-CN')} 行`
        : job.status === 'queued'
          ? '等待开始…'
          : `已导出 ${job.doneRows.toLocaleString('zh-CN')} 行`;
  return (
    <List.Item
      data-testid="export-job"
      data-status={job.status}
      data-percent={job.percent}
      actions={
        job.downloadUrl
          ? [
              <a key="dl" href={job.downloadUrl} download data-testid="export-download">
                <DownloadOutlined /> 下载
              </a>,
            ]
          : []
      }
    >
      <div style={{ width: '100%' }}>
        <Space size={8} wrap>
          <Typography.Text strong>{job.kindLabel}</Typography.Text>
          <Tag color={STATUS_COLOR[job.status]}>{job.statusLabel}</Tag>
          <Typography.Text type="secondary">{job.orgName}</Typography.Text>
        </Space>
        {(job.status === 'queued' || job.status === 'running' || job.status === 'done') && (
          <Progress
            percent={job.percent}
            size="small"
            status={job.status === 'done' ? 'success' : 'active'}
            data-testid="export-progress"
          />
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {rows} · 开始于 {formatLocalTime(job.createdAt)}
          {job.status === 'done' && job.expiresAt ? ` · 下载有效期至 ${formatLocalTime(job.expiresAt)}` : ''}
        </Typography.Text>
        {job.status === 'failed' && job.errorMessage && (
          <Typography.Paragraph type="danger" style={{ margin: 0 }}>
            {job.errorMessage}
          </Typography.Paragraph>
        )}
        {job.status === 'expired' && (
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            文件已超过 7 天，已删除；如需要请重新导出
          </Typography.Paragraph>
        )}
      </div>
    </List.Item>
  );
}

/** The header button with the number of running exports, and the 导出任务 drawer it opens. */
export function ExportJobsButton({ compact }: { compact?: boolean }) {
  const [open, setOpen] = useState(false);
  const jobs = useApi<{ items: ExportJob[] }>('/export-jobs');
  useServerEvents(['export'], jobs.reload);
  useEffect(() => {
    const show = () => {
      setOpen(true);
      jobs.reload();
    };
    window.addEventListener(OPEN, show);
    return () => window.removeEventListener(OPEN, show);
  }, [jobs.reload]);
  const items = jobs.data?.items ?? [];
  const active = items.filter((j) => j.status === 'queued' || j.status === 'running').length;
  return (
    <>
      <Badge count={active} size="small" offset={[-4, 4]}>
        <Button
          size="small"
          icon={<CloudDownloadOutlined />}
          onClick={() => {
            setOpen(true);
            jobs.reload();
          }}
          data-testid="export-jobs-open"
        >
          {compact ? '' : '导出任务'}
        </Button>
      </Badge>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        title="导出任务"
        size={compact ? 340 : 460}
        extra={<Button size="small" icon={<ReloadOutlined />} onClick={jobs.reload} aria-label="刷新" />}
        data-testid="export-jobs-drawer"
      >
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
          数据量大时可选“后台导出”：文件在服务器上生成，关闭页面也不会中断；完成后在这里下载，保留 7 天，仅本人可下载。
        </Typography.Paragraph>
        {items.length ? (
          <List dataSource={items} renderItem={(j) => <JobItem job={j} />} rowKey="id" />
        ) : (
          <Empty description="还没有后台导出" />
        )}
      </Drawer>
    </>
  );
}
