/**
 * Review actions for each level (毕业审核): the applications waiting at my level, approve or return one
 * or many with a reason, a confirmation for bulk actions, and a per-application account of refusals.
 */
import { Alert, App, Button, Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import { useApi, useServerEvents } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { Application, ApplicationAction, ApplicationState, BulkResult, Page } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { ACTION_BUTTON, ActionModal, ApplicationActions, actionsFor, approveLabel, type ActionInput } from '../components/ApplicationActions';
import { BatchSelect } from '../components/BatchSelect';
import { BulkCreateApplicationsButton } from '../components/BulkCreateApplications';
import { ExportButton, StateTag, fmtTime } from '../components/common';
import { ReviewFacts, machineSameShot, useStudentsById } from '../components/ReviewFacts';
import { ROLE_REVIEW_STATE, STATE_LABEL, STATE_ORDER } from '../labels';

interface Outcome {
  id: number;
  name: string;
  ok: boolean;
  code?: string;
  message?: string;
  state?: ApplicationState;
}

export function ReviewPage() {
  const user = useUser();
  const { message } = App.useApp();
  const showError = useShowError();
  const mine = ROLE_REVIEW_STATE[user.role];
  const [batchId, setBatchId] = useState<number | undefined>(undefined);
  const [state, setState] = useState<ApplicationState | 'returned' | undefined>(mine);
  const [q, setQ] = useState('');
  const [page, setPage] = useState({ current: 1, pageSize: 50 });
  const [selected, setSelected] = useState<number[]>([]);
  const [bulk, setBulk] = useState<ApplicationAction | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  const query = { batchId, state, q: q || undefined, page: page.current, pageSize: page.pageSize };
  const list = useApi<Page<Application>>(batchId ? '/applications' : null, { query });
  useServerEvents(['application'], list.reload);
  const rows = list.data?.items ?? [];
  const students = useStudentsById(rows.map((a) => a.studentId));
  const byId = new Map(rows.map((a) => [a.id, a]));
  const selectedApps = selected.map((id) => byId.get(id)).filter((a): a is Application => !!a);
  const bulkActions = state ? actionsFor(user.role, state as ApplicationState).filter((a) => a !== 'apply') : [];

  async function runBulk(action: ApplicationAction, input: ActionInput) {
    const ids = selectedApps.map((a) => a.id);
    // 同版 per student: those the machine found the same count as confirmed; the others only if ticked one by one
    const confirmedIds = ids.length > 1 ? (input.samePhotoConfirmedIds ?? []) : input.samePhotoConfirmed ? ids : [];
    const body =
      action === 'submit'
        ? { ids, action, samePhotoConfirmed: true, samePhotoConfirmedIds: confirmedIds, degreeRequested: input.degreeRequested }
        : { ids, action, reason: input.reason };
    const r = await api<BulkResult>('/applications/bulk', { body });
    const results: Outcome[] = r.results.map((x) => ({ ...x, name: byId.get(x.id)?.studentName ?? String(x.id) }));
    const ok = results.filter((r) => r.ok).length;
    const failed = results.length - ok;
    if (failed === 0) message.success(`已${ACTION_BUTTON[action]} ${ok} 份申请`);
    else message.warning(`${ok} 份成功，${failed} 份未成功，见下方说明`);
    setOutcomes(results);
    setSelected([]);
    setBulk(null);
    list.reload();
  }

  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="review-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        毕业审核{mine ? ` · 待${STATE_LABEL[mine]}的申请` : ''}
      </Typography.Title>
      <Card size="small">
        <Space wrap>
          <BatchSelect value={batchId} onChange={setBatchId} />
          <Select
            allowClear
            placeholder="全部状态"
            style={{ width: 160 }}
            value={state}
            onChange={(v) => {
              setState(v);
              setSelected([]);
            }}
            options={STATE_ORDER.map((s) => ({ value: s, label: STATE_LABEL[s] }))}
            data-testid="review-state"
          />
          <Input.Search allowClear placeholder="姓名 / 学号" onSearch={setQ} style={{ width: 200 }} />
          <ExportButton path="/reports/applications.xlsx" query={{ batchId, state, q: q || undefined }} name="毕业申请.xlsx" />
          {user.role === 'centre_staff' && <BulkCreateApplicationsButton batchId={batchId} onDone={list.reload} />}
        </Space>
      </Card>
      {bulkActions.length > 0 && (
        <Space wrap>
          <span>已选 {selected.length} 份：</span>
          {bulkActions.map((a) => (
            <Button key={a} disabled={!selected.length} type={a === 'approve' || a === 'submit' ? 'primary' : 'default'} danger={a === 'return' || a === 'reject'} onClick={() => setBulk(a)} data-testid={`bulk-${a}`}>
              批量{a === 'approve' && state ? approveLabel(state as ApplicationState) : ACTION_BUTTON[a]}
            </Button>
          ))}
        </Space>
      )}
      {outcomes && (
        <Alert
          type={outcomes.every((o) => o.ok) ? 'success' : 'warning'}
          showIcon
          closable={{ onClose: () => setOutcomes(null) }}
          data-testid="bulk-outcomes"
          title={`处理结果：成功 ${outcomes.filter((o) => o.ok).length}，未成功 ${outcomes.filter((o) => !o.ok).length}`}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {outcomes
                .filter((o) => !o.ok)
                .map((o) => (
                  <li key={o.id} title={o.code ? `代码：${o.code}` : undefined} data-code={o.code}>
                    {o.name}：{o.message}
                  </li>
                ))}
            </ul>
          }
        />
      )}
      <Table<Application>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={rows}
        scroll={{ x: 1500 }}
        data-testid="applications-table"
        rowSelection={bulkActions.length ? { selectedRowKeys: selected, onChange: (k) => setSelected(k as number[]) } : undefined}
        pagination={{ ...page, total: list.data?.total ?? 0, showTotal: (t) => `共 ${t} 份`, onChange: (current, pageSize) => setPage({ current, pageSize }) }}
        locale={{ emptyText: batchId ? '没有待处理的申请' : '请选择批次' }}
        columns={[
          { title: '学号', dataIndex: 'xuehao', width: 136, render: (x: string, a) => <Link to={`/students/${a.studentId}`}>{x}</Link> },
          { title: '姓名', dataIndex: 'studentName', width: 80 },
          { title: '学习中心', dataIndex: 'orgName', width: 130 },
          { title: '照片与核查', width: 290, render: (_, a) => <ReviewFacts student={students.get(a.studentId)} /> },
          { title: '状态', dataIndex: 'state', width: 110, render: (s: ApplicationState) => <StateTag state={s} /> },
          { title: '电子注册号', dataIndex: 'registrationNumber', width: 150, render: (n: string | null) => n ?? '—' },
          {
            title: '提醒',
            width: 200,
            render: (_, a) => (
              <>
                {a.warnings?.map((w) => (
                  <Tag color="orange" key={w.code} title={`代码：${w.code}`}>
                    {w.message}
                  </Tag>
                ))}
                {a.lastReason && <Tag color="red">原因：{a.lastReason}</Tag>}
              </>
            ),
          },
          { title: '更新', dataIndex: 'updatedAt', width: 136, render: (t: string) => <span style={{ whiteSpace: 'nowrap' }}>{fmtTime(t)}</span> },
          { title: '操作', width: 230, fixed: 'right', render: (_, a) => <ApplicationActions app={a} onDone={() => list.reload()} /> },
        ]}
      />
      <ActionModal
        action={bulk}
        state={state === 'returned' ? undefined : (state as ApplicationState | undefined)}
        count={selected.length}
        items={selectedApps.map((a) => ({ id: a.id, label: `${a.studentName}（${a.xuehao}）`, machineSame: machineSameShot(students.get(a.studentId)) }))}
        open={bulk !== null}
        onCancel={() => setBulk(null)}
        onOk={async (input) => {
          try {
            await runBulk(bulk!, input);
          } catch (e) {
            setBulk(null);
            showError(e, '批量操作未成功');
          }
        }}
      />
    </Space>
  );
}
