/** Audit log (操作记录): who did what, when and why, in my subtree. */
import { Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useApi } from '../api/hooks';
import type { AuditEntry, Page } from '../api/types';
import { ExportButton, fmtTime } from '../components/common';
import { ENTITY_LABEL, entityText, useEntityNames } from '../components/EntityName';
import { ACTION_LABEL } from '../labels';


export function AuditPage() {
  const [entity, setEntity] = useState<string | undefined>(undefined);
  const [entityId, setEntityId] = useState<string>('');
  const [page, setPage] = useState({ current: 1, pageSize: 50 });
  const list = useApi<Page<AuditEntry>>('/audit', { query: { entity, entityId: entityId || undefined, page: page.current, pageSize: page.pageSize } });
  const names = useEntityNames(list.data?.items ?? []);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        操作记录
      </Typography.Title>
      <Space wrap>
        <Select allowClear placeholder="对象类型" style={{ width: 140 }} value={entity} onChange={setEntity} options={Object.entries(ENTITY_LABEL).map(([value, label]) => ({ value, label }))} />
        <Input.Search allowClear placeholder="对象编号" style={{ width: 160 }} onSearch={setEntityId} />
        <ExportButton path="/reports/audit.xlsx" query={{ entity, entityId: entityId || undefined }} name="操作记录.xlsx" />
      </Space>
      <Table<AuditEntry>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 760 }}
        data-testid="audit-table"
        pagination={{ ...page, total: list.data?.total ?? 0, onChange: (current, pageSize) => setPage({ current, pageSize }) }}
        columns={[
          { title: '时间', dataIndex: 'at', width: 150, render: fmtTime },
          { title: '操作人', dataIndex: 'actorName', width: 120, render: (n: string | null) => n ?? '系统' },
          { title: '对象', width: 220, render: (_, e) => <span data-testid="audit-entity">{entityText(e, names)}</span> },
          { title: '操作', dataIndex: 'action', width: 170, render: (a: string) => <span title={`代码：${a}`}>{ACTION_LABEL[a] ?? '其他操作'}</span> },
          { title: '原因', dataIndex: 'reason', render: (r: string | null) => r ?? '' },
        ]}
      />
    </Space>
  );
}
