/** Choose the graduation batch (毕业批次); defaults to the open one, else the latest. */
import { Select } from 'antd';
import { useEffect } from 'react';
import { useBatches } from '../api/hooks';
import type { Batch } from '../api/types';

/** The batch's windows as a list, named in Chinese. */
export function batchWindows(b: Batch): { name: string; start: string | null; end: string }[] {
  return [
    { name: '第一次审核窗口', start: b.firstWindow.start, end: b.firstWindow.end },
    { name: '第二次审核窗口', start: b.secondWindow.start, end: b.secondWindow.end },
  ];
}

export function pickCurrentBatch(items: Batch[]): Batch | undefined {
  return items.find((b) => b.open) ?? [...items].sort((a, b) => b.deadline.localeCompare(a.deadline))[0];
}

export function BatchSelect({ value, onChange, allowAll = false }: { value: number | undefined; onChange: (id: number | undefined) => void; allowAll?: boolean }) {
  const { data } = useBatches();
  const items = data?.items ?? [];
  useEffect(() => {
    if (value === undefined && !allowAll && items.length) onChange(pickCurrentBatch(items)?.id);
  }, [items, value, allowAll, onChange]);
  return (
    <Select
      style={{ minWidth: 200 }}
      value={value}
      allowClear={allowAll}
      placeholder={allowAll ? '全部批次' : '选择批次'}
      onChange={(v) => onChange(v ?? undefined)}
      options={items.map((b) => ({ value: b.id, label: `${b.name}${b.open ? '（开放中）' : ''}` }))}
      data-testid="batch-select"
    />
  );
}
