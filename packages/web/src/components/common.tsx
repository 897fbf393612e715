/** Small shared pieces: tags for states, the XLSX export button, date helpers. */
import { CloudDownloadOutlined, DownOutlined, DownloadOutlined } from '@ant-design/icons';
import { Button, Dropdown, Space, Tag } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useApi } from '../api/hooks';
import { download } from '../api/client';
import { backgroundPathOf, startBackgroundExport } from './ExportJobs';
import { formatLocalDate, formatLocalTime } from '../format';
import { useShowError } from '../api/notify';
import type { ApplicationState, PhotoStatus, Student } from '../api/types';
import { FLAG_LABEL, PHOTO_STATUS_COLOR, PHOTO_STATUS_LABEL, STATE_COLOR, STATE_LABEL } from '../labels';

export function StateTag({ state }: { state: ApplicationState | null | undefined }) {
  if (!state) return <Tag>未申请</Tag>;
  return (
    <Tag color={STATE_COLOR[state]} data-testid="state-tag" data-state={state}>
      {STATE_LABEL[state]}
    </Tag>
  );
}

export function PhotoStatusTag({ status }: { status: PhotoStatus | null | undefined }) {
  const s = status ?? 'none';
  return (
    <Tag color={PHOTO_STATUS_COLOR[s]} data-testid="photo-status" data-status={s}>
      {PHOTO_STATUS_LABEL[s]}
    </Tag>
  );
}

/** Days before the end of the 8-year enrolment at which 学籍将到期 is shown (as the server's expiring list). */
export const EXPIRING_WITHIN_DAYS = 180;

export function FlagTags({ student }: { student: Pick<Student, 'flags' | 'expired' | 'identityStatus'> & { validUntil?: string | null } }) {
  const f = student.flags;
  const expiring = !student.expired && !!student.validUntil && daysLeft(student.validUntil) <= EXPIRING_WITHIN_DAYS;
  return (
    <>
      {student.expired && <Tag color="red">学籍已过期</Tag>}
      {expiring && (
        <Tag color="orange" data-testid="flag-expiring">
          学籍将到期（{fmtDate(student.validUntil)}）
        </Tag>
      )}
      {f.chsiPhotoMissing && <Tag color="volcano">{FLAG_LABEL.chsi_photo_missing}</Tag>}
      {f.identityDoubtful && <Tag color="magenta">{FLAG_LABEL.identity_doubtful}</Tag>}
      {f.continuing && <Tag color="geekblue">{FLAG_LABEL.continuing}</Tag>}
    </>
  );
}

type Query = Parameters<typeof download>[1];

/**
 * Export the list behind the page as XLSX (导出 Excel), through the server's report endpoint: a click downloads at
 * once; the arrow offers 后台导出 — the server writes the file as a job (for large lists, e.g. a province's students
 * or the photo zip) and the 导出任务 drawer shows its progress and the 下载 link.
 */
export function ExportButton({ path, query, name, label = '导出 Excel' }: { path: string; query?: Query; name: string; label?: string }) {
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  const direct = async () => {
    setBusy(true);
    try {
      await download(path, query, name);
    } catch (e) {
      showError(e, '导出失败');
    } finally {
      setBusy(false);
    }
  };
  if (!backgroundPathOf(path))
    return (
      <Button icon={<DownloadOutlined />} loading={busy} onClick={direct}>
        {label}
      </Button>
    );
  return (
    <Space.Compact>
      <Button icon={<DownloadOutlined />} loading={busy} onClick={direct}>
        {label}
      </Button>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [{ key: 'background', icon: <CloudDownloadOutlined />, label: '后台导出（数据量大时，完成后下载）' }],
          onClick: async () => {
            try {
              await startBackgroundExport(path, query);
            } catch (e) {
              showError(e, '后台导出未能开始');
            }
          },
        }}
      >
        <Button icon={<DownOutlined />} aria-label="更多导出方式：后台导出" title="后台导出" data-testid="export-more" />
      </Dropdown>
    </Space.Compact>
  );
}

/** Times and dates as clerks read them, in Beijing time (see format.ts). */
export const fmtTime = (t: string | null | undefined) => formatLocalTime(t);
export const fmtDate = (t: string | null | undefined) => formatLocalDate(t);

/** Whole days from today to `date` (negative when past). 剩余天数 */
export function daysLeft(date: string): number {
  return dayjs(date).startOf('day').diff(dayjs().startOf('day'), 'day');
}

export function DaysLeftTag({ date }: { date: string }) {
  const d = daysLeft(date);
  if (d < 0) return <Tag color="default">已截止 {-d} 天</Tag>;
  if (d === 0) return <Tag color="red">今天截止</Tag>;
  return <Tag color={d <= 7 ? 'red' : d <= 30 ? 'orange' : 'blue'}>剩 {d} 天</Tag>;
}

/** A student by name and 学号 (never "学生编号 6"), linked to their page; loads the name when only the id is known. */
export function StudentName({ id, name, xuehao }: { id: number; name?: string; xuehao?: string }) {
  const s = useApi<Student>(name ? null : `/students/${id}`);
  const n = name ?? s.data?.name;
  const x = xuehao ?? s.data?.xuehao;
  return <Link to={`/students/${id}`}>{n ? `${n}${x ? `（${x}）` : ''}` : '…'}</Link>;
}
