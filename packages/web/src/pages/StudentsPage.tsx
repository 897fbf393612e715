/** Students (学生与学籍): search and filters (state, flags, centre, photo status, failed rule), XLSX export. */
import { Button, Card, Input, Select, Space, Table, Typography } from 'antd';
import { RULE_IDS } from '@gradpass/photo/rules';
import { useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useApi, useOrgs } from '../api/hooks';
import type { Page, Student } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { ruleName } from '../components/CheckTable';
import { FlagImportButton } from '../components/FlagImport';
import { DaysLeftTag, ExportButton, FlagTags, PhotoStatusTag, StateTag, fmtDate } from '../components/common';
import { FLAG_LABEL, PHOTO_STATUS_LABEL, STATE_LABEL, STATE_ORDER } from '../labels';
import { can } from '../permissions';

const FILTER_KEYS = ['q', 'state', 'flag', 'orgId', 'photoStatus', 'failedRule', 'batchId'] as const;

export function StudentsPage() {
  const user = useUser();
  const nav = useNavigate();
  const [params, setParams] = useSearchParams();
  const expiringOnly = params.get('expiring') === '1';
  const page = Number(params.get('page') ?? 1);
  const pageSize = Number(params.get('pageSize') ?? 20);
  const filters = useMemo(() => Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? undefined])), [params]);
  const list = useApi<Page<Student>>(expiringOnly ? null : '/students', { query: { ...filters, page, pageSize } });
  const expiring = useApi<{ items: Student[] }>(expiringOnly ? '/students/expiring' : null);
  const { data: orgs } = useOrgs();
  const centres = (orgs?.items ?? []).filter((o) => o.kind === 'centre');

  const set = (k: string, v: string | number | undefined | null) => {
    const next = new URLSearchParams(params);
    if (v === undefined || v === null || v === '') next.delete(k);
    else next.set(k, String(v));
    if (k !== 'page') next.delete('page');
    setParams(next);
  };

  const rows = expiringOnly ? (expiring.data?.items ?? []) : (list.data?.items ?? []);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {expiringOnly ? '学籍即将到期的学生' : '学生与学籍'}
      </Typography.Title>
      <Card size="small">
        <Space wrap>
          <Input.Search allowClear placeholder="姓名 / 学号 / 身份证号" defaultValue={filters.q} onSearch={(v) => set('q', v)} style={{ width: 240 }} data-testid="student-search" />
          <Select allowClear placeholder="申请状态" style={{ width: 150 }} value={filters.state} onChange={(v) => set('state', v)} options={STATE_ORDER.map((s) => ({ value: s, label: STATE_LABEL[s] }))} />
          <Select allowClear placeholder="学信网标记" style={{ width: 170 }} value={filters.flag} onChange={(v) => set('flag', v)} options={Object.entries(FLAG_LABEL).map(([value, label]) => ({ value, label }))} />
          {centres.length > 1 && (
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="学习中心" style={{ width: 200 }} value={filters.orgId ? Number(filters.orgId) : undefined} onChange={(v) => set('orgId', v)} options={centres.map((c) => ({ value: c.id, label: c.name }))} />
          )}
          <Select allowClear placeholder="照片状态" style={{ width: 140 }} value={filters.photoStatus} onChange={(v) => set('photoStatus', v)} options={Object.entries(PHOTO_STATUS_LABEL).map(([value, label]) => ({ value, label }))} />
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="未通过的规则" style={{ width: 210 }} value={filters.failedRule} onChange={(v) => set('failedRule', v)} options={RULE_IDS.map((r) => ({ value: r, label: ruleName(r) }))} />
          {expiringOnly ? (
            <ExportButton path="/reports/expiring.xlsx" name="学籍即将到期.xlsx" />
          ) : (
            <ExportButton path="/reports/students.xlsx" query={filters} name="学生名单.xlsx" />
          )}
          {can(user.role, 'maintain_students') && <Button onClick={() => nav('/import')}>导入名册与照片</Button>}
          {can(user.role, 'import_flags') && <FlagImportButton onImported={list.reload} />}
        </Space>
      </Card>
      <Table<Student>
        size="small"
        rowKey="id"
        loading={list.loading || expiring.loading}
        dataSource={rows}
        scroll={{ x: 1100 }}
        data-testid="students-table"
        pagination={
          expiringOnly
            ? { pageSize: 20 }
            : {
                current: page,
                pageSize,
                total: list.data?.total ?? 0,
                showTotal: (t) => `共 ${t} 人`,
                onChange: (p, ps) => {
                  const next = new URLSearchParams(params);
                  next.set('page', String(p));
                  next.set('pageSize', String(ps));
                  setParams(next);
                },
              }
        }
        onRow={(s) => ({ onDoubleClick: () => nav(`/students/${s.id}`) })}
        columns={[
          { title: '学号', dataIndex: 'xuehao', width: 150, render: (x: string, s) => <Link to={`/students/${s.id}`}>{x}</Link> },
          { title: '姓名', dataIndex: 'name', width: 90 },
          { title: '身份证号', dataIndex: 'idCard', width: 190 },
          { title: '学习中心', dataIndex: 'orgName', width: 160 },
          { title: '专业 / 层次', render: (_, s) => `${s.programme} · ${s.level}`, width: 160 },
          { title: '入学', dataIndex: 'enrolTerm', width: 80 },
          { title: '学籍有效至', dataIndex: 'validUntil', width: 170, render: (d: string, s) => (s.expired ? <span style={{ color: '#cf1322' }}>{fmtDate(d)}（已过期）</span> : <Space size={4}>{fmtDate(d)}<DaysLeftTag date={d} /></Space>) },
          { title: '标记', width: 160, render: (_, s) => <FlagTags student={s} /> },
          { title: '照片', width: 100, render: (_, s) => <PhotoStatusTag status={s.photo?.status ?? null} /> },
          { title: '申请', width: 130, render: (_, s) => <StateTag state={s.application?.state} /> },
        ]}
      />
    </Space>
  );
}
