/**
 * Student accounts from the roster (学生账号): a centre's students without an account, opened in bulk — the
 * selected ones or all of them. The initial passwords come back once and are shown as a printable list
 * (初始密码单: 姓名, 学号, 用户名, 初始密码, “首次登录须修改密码”), also downloadable as Excel; leaving the page
 * forgets them (the server keeps only hashes).
 */
import { Alert, App, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { useApi } from '../api/hooks';
import { useShowError } from '../api/notify';
import { useCentreChoice } from '../components/Uploads';
import { PasswordSheet, type SheetRow } from '../components/PasswordSheet';

interface AccountStatus {
  total: number;
  withAccount: number;
  withoutCount: number;
  without: { studentId: number; xuehao: string; name: string }[];
}
interface AccountResult {
  studentId: number;
  xuehao: string;
  name: string;
  ok: boolean;
  username?: string;
  initialPassword?: string;
  code?: string;
  message: string;
}

export function StudentAccountsPage() {
  const { centres, defaultId } = useCentreChoice();
  const [orgId, setOrgId] = useState<number | undefined>(undefined);
  const centre = orgId ?? defaultId;
  const status = useApi<AccountStatus>(centre ? '/student-accounts' : null, { query: { orgId: centre } });
  const [selected, setSelected] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<AccountResult[] | null>(null);
  const [sheet, setSheet] = useState<SheetRow[] | null>(null);
  const [remaining, setRemaining] = useState(0);
  const { message } = App.useApp();
  const showError = useShowError();

  async function open(body: { studentIds?: number[]; allWithout?: boolean }) {
    setBusy(true);
    try {
      const r = await api<{ results: AccountResult[]; okCount: number; failCount: number; remaining: number }>('/student-accounts', {
        body: { orgId: centre, ...body },
      });
      setResults(r.results);
      setRemaining(r.remaining);
      const rows = r.results.filter((x) => x.ok && x.initialPassword).map((x) => ({ name: x.name, xuehao: x.xuehao, username: x.username ?? x.xuehao, initialPassword: x.initialPassword ?? '' }));
      setSheet(rows.length ? rows : null);
      message.success(`已开通 ${r.okCount} 个账号${r.failCount ? `，${r.failCount} 名未开通（见下表）` : ''}`);
      setSelected([]);
      status.reload();
    } catch (e) {
      showError(e, '开通账号未成功');
    } finally {
      setBusy(false);
    }
  }

  if (sheet) return <PasswordSheet rows={sheet} onClose={() => setSheet(null)} />;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="student-accounts-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        学生账号
      </Typography.Title>
      <Card size="small">
        <Space wrap>
          <span>学习中心：</span>
          <Select style={{ minWidth: 220 }} value={centre} onChange={(v) => { setOrgId(v); setSelected([]); }} options={centres.map((c) => ({ value: c.id, label: c.name }))} />
          {status.data && (
            <>
              <Tag color="green">已开通 {status.data.withAccount}</Tag>
              <Tag color="orange">未开通 {status.data.withoutCount}</Tag>
            </>
          )}
        </Space>
        <Alert
          style={{ marginTop: 12 }}
          type="info"
          showIcon
          title="学生的用户名为学号；初始密码随机生成，只显示这一次，请打印后发给学生。学生首次登录须修改密码。"
        />
      </Card>
      <Card
        size="small"
        title="尚未开通账号的学生"
        extra={
          <Space wrap>
            <Button disabled={!selected.length} loading={busy} onClick={() => void open({ studentIds: selected })} data-testid="accounts-open-selected">
              为选中的 {selected.length} 名学生开通
            </Button>
            <Button type="primary" disabled={!status.data?.withoutCount} loading={busy} onClick={() => void open({ allWithout: true })} data-testid="accounts-open-all">
              为全部 {status.data?.withoutCount ?? 0} 名未开通的学生开通
            </Button>
          </Space>
        }
      >
        <Table
          size="small"
          rowKey="studentId"
          loading={status.loading}
          dataSource={status.data?.without ?? []}
          pagination={{ pageSize: 20, showTotal: (t) => `共 ${t} 名` }}
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }}
          columns={[
            { title: '学号', dataIndex: 'xuehao', width: 160 },
            { title: '姓名', dataIndex: 'name' },
          ]}
        />
        {status.data && status.data.withoutCount > status.data.without.length && (
          <Typography.Text type="secondary">列表只显示前 {status.data.without.length} 名；每次最多开通 {status.data.without.length} 个账号。</Typography.Text>
        )}
      </Card>
      {results && (
        <Card size="small" title="开通结果" data-testid="accounts-results">
          {remaining > 0 && <Alert type="warning" showIcon style={{ marginBottom: 8 }} title={`还有 ${remaining} 名学生未开通（每次最多 500 名），请再点一次“全部开通”。`} />}
          <Table
            size="small"
            rowKey="studentId"
            dataSource={results}
            pagination={{ pageSize: 20 }}
            columns={[
              { title: '学号', dataIndex: 'xuehao', width: 160 },
              { title: '姓名', dataIndex: 'name', width: 100 },
              { title: '结果', width: 90, render: (_, r) => <Tag color={r.ok ? 'green' : 'red'}>{r.ok ? '已开通' : '未开通'}</Tag> },
              { title: '说明', dataIndex: 'message', render: (m: string, r) => <span title={r.code ? `代码：${r.code}` : undefined}>{m}</span> },
            ]}
          />
        </Card>
      )}
      <Typography.Text type="secondary">学生遗失初始密码时，请管理员在“用户与机构”中为该学生重置密码，学生登录后须再次修改。</Typography.Text>
    </Space>
  );
}

