/**
 * Dashboard per level (工作台): the current batch's applications by state and by child organisation,
 * deadlines and days left, students whose enrolment expires soon, flags to resolve, certificates not
 * yet handed over. Refreshes on server events.
 */
import { Alert, Card, Col, Empty, List, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { formatLocalDate } from '../format';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useApi, useBatches, useServerEvents } from '../api/hooks';
import type { ApplicationState, Batch, CertificatePendingRow, Page, Progress, Student } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { BatchSelect, batchWindows } from '../components/BatchSelect';
import { DaysLeftTag, fmtDate } from '../components/common';
import { ROLE_LABEL, ROLE_REVIEW_STATE, STATE_COLOR, STATE_LABEL, STATE_ORDER } from '../labels';

function useCount(query: Record<string, string | number | undefined>) {
  const r = useApi<Page<Student>>('/students', { query: { ...query, pageSize: 1 } });
  return r;
}

export function DashboardPage() {
  const user = useUser();
  const [batchId, setBatchId] = useState<number | undefined>(undefined);
  const { data: batches } = useBatches();
  const batch = batches?.items.find((b) => b.id === batchId);
  const progress = useApi<Progress>(batchId ? '/progress' : null, { query: { batchId } });
  const expiring = useApi<{ items: Student[] }>('/students/expiring');
  const chsi = useCount({ flag: 'chsi_photo_missing' });
  const doubtful = useCount({ flag: 'identity_doubtful' });
  const failing = useCount({ photoStatus: 'fail' });
  const review = useCount({ photoStatus: 'review' });
  const noPhoto = useCount({ photoStatus: 'none' });
  const certs = useApi<{ rows: CertificatePendingRow[] }>(batchId ? '/certificates/pending' : null, { query: { batchId } });
  useServerEvents(['application', 'progress', 'photo'], () => {
    progress.reload();
    failing.reload();
    review.reload();
  });

  const totals: Partial<Record<ApplicationState, number>> = progress.data?.totals?.counts ?? {};
  const states = (progress.data?.states?.length ? progress.data.states : STATE_ORDER) as ApplicationState[];
  const myState = ROLE_REVIEW_STATE[user.role];
  const notHanded = (certs.data?.rows ?? []).reduce((n, r) => n + r.notHandedOver, 0);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="dashboard">
      <Space wrap align="center">
        <Typography.Title level={3} style={{ margin: 0 }}>
          工作台 · {user.orgName}
        </Typography.Title>
        <Tag color="gold">{ROLE_LABEL[user.role]}</Tag>
        <BatchSelect value={batchId} onChange={setBatchId} />
      </Space>
      {batch && <Deadlines batch={batch} />}
      <Row gutter={[12, 12]}>
        {myState && (
          <Col xs={12} md={6} lg={3}>
            <Card size="small">
              <Link to="/review">
                <Statistic title="待我审核" value={totals[myState] ?? 0} styles={{ content: { color: '#1677ff' } }} />
              </Link>
            </Card>
          </Col>
        )}
        {states.filter((s) => s !== 'draft').map((s) => (
          <Col xs={12} md={6} lg={3} key={s}>
            <Card size="small" data-testid={`stat-${s}`}>
              <Statistic title={STATE_LABEL[s]} value={totals[s] ?? 0} />
            </Card>
          </Col>
        ))}
      </Row>
      <Card title="各下级单位进度" size="small">
        <Table
          size="small"
          rowKey={(r) => r.org.id}
          loading={progress.loading}
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={progress.data?.rows ?? []}
          columns={[
            { title: '单位', render: (_, r) => <span style={{ whiteSpace: 'nowrap' }}>{r.org.name}</span>, fixed: 'left', width: 150 },
            ...states.map((s) => ({
              title: <Tag color={STATE_COLOR[s]} style={{ marginInlineEnd: 0 }}>{STATE_LABEL[s]}</Tag>,
              key: s,
              align: 'right' as const,
              render: (_: unknown, r: Progress['rows'][number]) => r.counts[s] ?? 0,
            })),
            { title: '合计', dataIndex: 'total', align: 'right' as const },
          ]}
          locale={{ emptyText: batchId ? '暂无申请' : '请选择批次' }}
        />
      </Card>
      <Row gutter={[12, 12]}>
        <Col xs={24} xl={15}>
          <Card title="学籍即将到期的学生（8 年有效期）" size="small" extra={<Link to="/students?expiring=1">查看全部</Link>}>
            {expiring.data?.items.length ? (
              <Table
                size="small"
                rowKey="id"
                pagination={{ pageSize: 5 }}
                dataSource={expiring.data.items}
                columns={[
                  { title: '学号', dataIndex: 'xuehao', render: (x: string, s: Student) => <Link to={`/students/${s.id}`}>{x}</Link> },
                  { title: '姓名', dataIndex: 'name' },
                  { title: '学习中心', dataIndex: 'orgName' },
                  { title: '入学', dataIndex: 'enrolTerm' },
                  { title: '学籍有效至', dataIndex: 'validUntil', render: (d: string) => <Space>{fmtDate(d)}<DaysLeftTag date={d} /></Space> },
                ]}
              />
            ) : (
              <Empty description="近期没有学籍到期的学生" image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card title="待处理事项" size="small">
            <List size="small">
              <Todo to="/students?flag=chsi_photo_missing" label="学信网缺学历照片" n={chsi.data?.total} />
              <Todo to="/students?flag=identity_doubtful" label="学信网身份存疑（需身份复核）" n={doubtful.data?.total} />
              <Todo to="/photos?status=fail" label="照片不合格" n={failing.data?.total} />
              <Todo to="/photos?status=review" label="照片需人工复核" n={review.data?.total} />
              <Todo to="/students?photoStatus=none" label="没有照片的学生" n={noPhoto.data?.total} />
              <Todo to="/certificates" label="证书未发放" n={notHanded} />
            </List>
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

function Todo({ to, label, n }: { to: string; label: string; n: number | undefined }) {
  return (
    <List.Item extra={<Tag color={n ? 'red' : 'default'}>{n ?? '…'}</Tag>}>
      <Link to={to}>{label}</Link>
    </List.Item>
  );
}

function Deadlines({ batch }: { batch: Batch }) {
  const windows = batchWindows(batch);
  const today = formatLocalDate(new Date());
  const current = windows.find((w) => w.start && w.start <= today && today <= w.end);
  const next = windows.find((w) => !w.start || w.start > today);
  return (
    <Alert
      type={batch.open ? 'info' : 'warning'}
      showIcon
      data-testid="batch-deadlines"
      title={
        <Space wrap>
          <b>{batch.name}</b>
          {windows.map((w) => (
            <span key={w.name}>
              {w.name}：{w.start ? fmtDate(w.start) : '成绩发布后开放'} 至 {fmtDate(w.end)}
            </span>
          ))}
          <span>最终截止：{fmtDate(batch.deadline)}</span>
          <DaysLeftTag date={batch.deadline} />
          {batch.collectionDeadline && (
            <span>
              图像采集截止：{fmtDate(batch.collectionDeadline)} <DaysLeftTag date={batch.collectionDeadline} />
            </span>
          )}
        </Space>
      }
      description={
        current ? (
          <span>
            当前“{current.name}”开放中，距关闭 <DaysLeftTag date={current.end} />
          </span>
        ) : next ? (
          <span>当前不在提交窗口内；{next.start ? `“${next.name}”于 ${fmtDate(next.start)} 开放` : `“${next.name}”在成绩发布后开放`}</span>
        ) : (
          <span>本批次所有提交窗口已关闭</span>
        )
      }
    />
  );
}
