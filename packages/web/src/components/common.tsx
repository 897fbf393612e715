/** Small shared pieces: tags for states, the XLSX export button, date helpers. */
import { DownloadOutlined } from '@ant-design/icons';
import { Button, Tag } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { download } from '../api/client';
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

export function FlagTags({ student }: { student: Pick<Student, 'flags' | 'expired' | 'identityStatus'> }) {
  const f = student.flags;
  return (
    <>
      {student.expired && <Tag color="red">学籍已过期</Tag>}
      {f.chsiPhotoMissing && <Tag color="volcano">{FLAG_LABEL.chsi_photo_missing}</Tag>}
      {f.identityDoubtful && <Tag color="magenta">{FLAG_LABEL.identity_doubtful}</Tag>}
      {f.continuing && <Tag color="geekblue">{FLAG_LABEL.continuing}</Tag>}
    </>
  );
}

type Query = Parameters<typeof download>[1];

/** Export the list behind the page as XLSX (导出 Excel), through the server's report endpoint. */
export function ExportButton({ path, query, name, label = '导出 Excel' }: { path: string; query?: Query; name: string; label?: string }) {
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      icon={<DownloadOutlined />}
      loading={busy}
      onClick={async () => {
        setBusy(true);
        try {
          await download(path, query, name);
        } catch (e) {
          showError(e, '导出失败');
        } finally {
          setBusy(false);
        }
      }}
    >
      {label}
    </Button>
  );
}

export const fmtTime = (t: string | null | undefined) => (t ? dayjs(t).format('YYYY-MM-DD HH:mm') : '—');
export const fmtDate = (t: string | null | undefined) => (t ? dayjs(t).format('YYYY-MM-DD') : '—');

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
