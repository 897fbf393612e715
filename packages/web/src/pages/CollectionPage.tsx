/**
 * Photo collection orders (图像采集订单, seed 004) for the collection centre: the centre's orders (names
 * masked 张*), filter by status, the order with its uploaded photo, the review actions the state allows
 * (初审 / 终审 pass or reject with a reason, 完成 = standardised and uploaded to 学信网, 寄出 with a
 * tracking number), the reminders (paper copies overdue after 7 working days, students to check 学信网
 * within 20 working days) and this year's 特征码.
 */
import { Alert, App, Button, Card, Descriptions, Drawer, Empty, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../api/client';
import { useApi } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { CollectionActionType, CollectionOrder, CollectionReminders, CollectionStatus } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { COLLECTION_ACTION_LABEL, COLLECTION_STATUS_COLOR, COLLECTION_STATUS_LABEL, COLLECTION_STATUS_ORDER, collectorActions, rejectStage, yuan } from '../collection';
import { fmtDate, fmtTime } from '../components/common';

export function CollectionStatusTag({ order }: { order: Pick<CollectionOrder, 'status' | 'statusLabel'> }) {
  return (
    <Tag color={COLLECTION_STATUS_COLOR[order.status]} data-testid="collection-status" data-status={order.status}>
      {order.statusLabel || COLLECTION_STATUS_LABEL[order.status]}
    </Tag>
  );
}

export function CollectionPage() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? undefined) as CollectionStatus | undefined;
  const list = useApi<{ items: CollectionOrder[] }>('/collection/orders', { query: { status } });
  const reminders = useApi<CollectionReminders>('/collection/reminders');
  const [openId, setOpenId] = useState<number | null>(null);
  const rows = list.data?.items ?? [];
  const open = rows.find((o) => o.id === openId) ?? null;

  const setStatus = (v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set('status', v);
    else next.delete('status');
    setParams(next);
  };
  const reload = () => {
    list.reload();
    reminders.reload();
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="collection-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        图像采集订单
      </Typography.Title>
      <RemindersCard data={reminders.data} onOpen={setOpenId} />
      <Card size="small">
        <Space wrap>
          <Select
            allowClear
            placeholder="订单状态"
            style={{ width: 220 }}
            value={status}
            onChange={(v) => setStatus(v)}
            options={COLLECTION_STATUS_ORDER.map((s) => ({ value: s, label: COLLECTION_STATUS_LABEL[s] }))}
            data-testid="collection-status-filter"
          />
          <Button onClick={reload} data-testid="collection-reload">
            刷新
          </Button>
          {reminders.data && <Typography.Text type="secondary">未寄出的订单 {reminders.data.open} 个</Typography.Text>}
          {user.role === 'collector' && <FeatureCodeButton />}
        </Space>
      </Card>
      <Table<CollectionOrder>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={rows}
        scroll={{ x: 1200 }}
        data-testid="collection-table"
        pagination={{ pageSize: 20, showTotal: (t) => `共 ${t} 个订单` }}
        locale={{ emptyText: <Empty description={status ? '没有此状态的订单' : '暂无采集订单'} /> }}
        onRow={(o) => ({ onClick: () => setOpenId(o.id), style: { cursor: 'pointer' }, 'data-testid': 'collection-row', 'data-order-id': o.id } as React.HTMLAttributes<HTMLElement>)}
        columns={[
          { title: '订单号', dataIndex: 'id', width: 80 },
          { title: '姓名', dataIndex: 'name', width: 80 },
          { title: '学号', dataIndex: 'xuehao', width: 150, render: (x: string | null) => x ?? '—' },
          { title: '学习中心', dataIndex: 'orgName', width: 160 },
          { title: '状态', width: 190, render: (_, o) => <CollectionStatusTag order={o} /> },
          {
            title: '驳回次数',
            width: 150,
            render: (_, o) => (
              <Space size={4}>
                {o.rejectionCount}
                {o.inPersonAdvice && <Tag color="red">建议现场采集</Tag>}
              </Space>
            ),
          },
          { title: '已付金额', width: 100, render: (_, o) => yuan(o.paidAmountFen) },
          { title: '支付时间', dataIndex: 'paidAt', width: 110, render: fmtDate },
          { title: '终审通过', dataIndex: 'finalPassedAt', width: 110, render: fmtDate },
          { title: '寄出', dataIndex: 'shippedAt', width: 110, render: fmtDate },
          { title: '更新时间', dataIndex: 'updatedAt', width: 150, render: fmtTime },
        ]}
      />
      <Drawer open={!!open} onClose={() => setOpenId(null)} size="large" title={open ? `采集订单 ${open.id} · ${open.name}` : ''} destroyOnHidden>
        {open && <OrderDetail order={open} onChanged={reload} />}
      </Drawer>
    </Space>
  );
}

function RemindersCard({ data, onOpen }: { data: CollectionReminders | undefined; onOpen: (id: number) => void }) {
  if (!data) return null;
  const { overdueShipments, chsiChecks, deadlines } = data;
  if (!overdueShipments.length && !chsiChecks.length && !deadlines.length) return null;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="collection-reminders">
      {overdueShipments.length > 0 && (
        <Alert
          type="error"
          showIcon
          title={`纸质照片逾期未寄出 ${overdueShipments.length} 个（终审通过后 7 个工作日内应寄出）`}
          description={
            <Space wrap>
              {overdueShipments.map((x) => (
                <a key={x.orderId} onClick={() => onOpen(x.orderId)}>
                  订单 {x.orderId} {x.name}：应于 {fmtDate(x.dueOn)} 前寄出，已逾期 {x.workingDaysOverdue} 个工作日
                </a>
              ))}
            </Space>
          }
        />
      )}
      {chsiChecks.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title={`提醒学生核对学信网照片 ${chsiChecks.length} 个（收到纸质照片后 20 个工作日内）`}
          description={
            <Space orientation="vertical" size={2}>
              {chsiChecks.map((x) => (
                <a key={x.orderId} onClick={() => onOpen(x.orderId)}>
                  订单 {x.orderId}：{x.message}（截止 {fmtDate(x.dueOn)}，{x.overdue ? '已逾期' : `剩 ${x.workingDaysLeft} 个工作日`}）
                </a>
              ))}
            </Space>
          }
        />
      )}
      {deadlines.length > 0 && (
        <Alert
          type="info"
          showIcon
          title="采集截止提醒"
          description={
            <Space orientation="vertical" size={2}>
              {deadlines.map((d) => (
                <span key={`${d.batchId}-${d.orgId}`}>
                  {d.batchName} · {d.orgName}：{d.message}
                </span>
              ))}
            </Space>
          }
        />
      )}
    </Space>
  );
}

/** The order, its photo, and the actions its state allows. */
function OrderDetail({ order, onChanged }: { order: CollectionOrder; onChanged: () => void }) {
  const user = useUser();
  const { message, notification } = App.useApp();
  const showError = useShowError();
  const [busy, setBusy] = useState<CollectionActionType | null>(null);
  const [dialog, setDialog] = useState<'reject' | 'ship' | null>(null);
  const actions = collectorActions(user.role, order.status);

  const act = async (type: CollectionActionType, extra: { reason?: string; trackingNumber?: string } = {}) => {
    setBusy(type);
    try {
      const res = await api<CollectionOrder>(`/collection/orders/${order.id}/actions`, { body: { type, ...extra } });
      message.success(`${COLLECTION_ACTION_LABEL[type] ?? '操作'}：${res.statusLabel}`);
      for (const w of res.warnings ?? []) {
        notification.warning({ title: '提示', description: <span data-testid="collection-warning" data-code={w.code} title={`代码：${w.code}`}>{w.message}</span>, duration: 10 });
      }
      setDialog(null);
      onChanged();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="collection-detail">
      {order.inPersonAdvice && <Alert type="error" showIcon title={order.inPersonAdvice} data-testid="in-person-advice" />}
      {order.status === 'rejected' && order.lastRejectionReason && <Alert type="warning" showIcon title={`驳回原因：${order.lastRejectionReason}`} />}
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label="状态" span={2}>
          <CollectionStatusTag order={order} />
        </Descriptions.Item>
        <Descriptions.Item label="姓名">{order.name}</Descriptions.Item>
        <Descriptions.Item label="学号">{order.xuehao ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="学习中心">{order.orgName}</Descriptions.Item>
        <Descriptions.Item label="采集中心">{order.collectionOrgName}</Descriptions.Item>
        <Descriptions.Item label="采集码">{order.collectionCode ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="驳回次数">{order.rejectionCount}</Descriptions.Item>
        <Descriptions.Item label="采集费">{yuan(order.feeFen)}</Descriptions.Item>
        <Descriptions.Item label="已付金额">
          {yuan(order.paidAmountFen)} {order.paidAt && `（${fmtTime(order.paidAt)}）`}
        </Descriptions.Item>
        <Descriptions.Item label="终审通过">{fmtTime(order.finalPassedAt)}</Descriptions.Item>
        <Descriptions.Item label="上传学信网">{fmtTime(order.completedAt)}</Descriptions.Item>
        <Descriptions.Item label="寄出">{fmtTime(order.shippedAt)}</Descriptions.Item>
        <Descriptions.Item label="快递单号">{order.trackingNumber ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="收件地址" span={2}>
          {order.shippingAddress ?? '—'}
        </Descriptions.Item>
        <Descriptions.Item label="学生收到纸质照片" span={2}>
          {fmtDate(order.paperReceivedOn)}
        </Descriptions.Item>
      </Descriptions>
      <Card size="small" title="上传的照片">
        {order.hasPhoto ? (
          <img
            key={`${order.id}-${order.updatedAt ?? ''}`}
            src={`/api/collection/orders/${order.id}/photo?v=${encodeURIComponent(order.updatedAt ?? '')}`}
            alt={`采集订单 ${order.id} 的照片`}
            style={{ width: 240, border: '1px solid #eee' }}
            data-testid="collection-photo"
          />
        ) : (
          <Empty description="学生尚未上传照片" />
        )}
      </Card>
      {actions.length > 0 ? (
        <Space wrap>
          {actions.map((a) =>
            a === 'collection_reject' ? (
              <Button key={a} danger onClick={() => setDialog('reject')} data-testid={`collection-action-${a}`}>
                {rejectStage(order.status)}
              </Button>
            ) : a === 'collection_ship' ? (
              <Button key={a} type="primary" onClick={() => setDialog('ship')} data-testid={`collection-action-${a}`}>
                {COLLECTION_ACTION_LABEL[a]}
              </Button>
            ) : (
              <Button key={a} type="primary" loading={busy === a} onClick={() => void act(a)} data-testid={`collection-action-${a}`}>
                {COLLECTION_ACTION_LABEL[a]}
              </Button>
            ),
          )}
        </Space>
      ) : (
        <Typography.Text type="secondary">此状态下采集中心无需操作。</Typography.Text>
      )}
      <ReasonModal
        open={dialog === 'reject'}
        title={rejectStage(order.status)}
        label="驳回原因（学生会看到）"
        placeholder="例如：背景不均匀，请重新拍摄"
        busy={busy === 'collection_reject'}
        onCancel={() => setDialog(null)}
        onOk={(reason) => void act('collection_reject', { reason })}
        testId="collection-reject-reason"
      />
      <ReasonModal
        open={dialog === 'ship'}
        title="寄出纸质照片"
        label="快递单号"
        placeholder="例如：SF1234567890"
        busy={busy === 'collection_ship'}
        onCancel={() => setDialog(null)}
        onOk={(trackingNumber) => void act('collection_ship', { trackingNumber })}
        testId="collection-tracking-number"
      />
    </Space>
  );
}

function ReasonModal(props: { open: boolean; title: string; label: string; placeholder: string; busy: boolean; onCancel: () => void; onOk: (text: string) => void; testId: string }) {
  const [text, setText] = useState('');
  return (
    <Modal
      open={props.open}
      title={props.title}
      okText="确定"
      cancelText="取消"
      confirmLoading={props.busy}
      okButtonProps={{ disabled: !text.trim(), ...({ 'data-testid': `${props.testId}-ok` } as object) }}
      onCancel={props.onCancel}
      onOk={() => props.onOk(text.trim())}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={props.label} required>
          <Input.TextArea autoSize={{ minRows: 2 }} value={text} onChange={(e) => setText(e.target.value)} placeholder={props.placeholder} data-testid={props.testId} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The collection centre sets this year's 特征码 (students enter it with their 采集码). */
function FeatureCodeButton() {
  const codes = useApi<{ items: { id: number; code: string; year: number }[] }>('/collection/feature-codes');
  const { message } = App.useApp();
  const showError = useShowError();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [year, setYear] = useState<number>(new Date().getFullYear());
  const current = (codes.data?.items ?? []).filter((c) => c.year === new Date().getFullYear());
  return (
    <>
      <Typography.Text>
        本年度特征码：{current.length ? current.map((c) => <Tag key={c.id}>{c.code}</Tag>) : <Tag color="red">未设置</Tag>}
      </Typography.Text>
      <Button onClick={() => setOpen(true)} data-testid="feature-code-open">
        设置特征码
      </Button>
      <Modal
        open={open}
        title="设置特征码"
        okText="保存"
        cancelText="取消"
        okButtonProps={{ disabled: !code.trim(), ...({ 'data-testid': 'feature-code-ok' } as object) }}
        onCancel={() => setOpen(false)}
        onOk={async () => {
          try {
            await api('/collection/feature-codes', { body: { code: code.trim(), year } });
            message.success('特征码已保存');
            setOpen(false);
            setCode('');
            codes.reload();
          } catch (e) {
            showError(e, '保存特征码未成功');
          }
        }}
      >
        <Form layout="vertical">
          <Form.Item label="特征码" required>
            <Input value={code} onChange={(e) => setCode(e.target.value)} placeholder="例如：yknmcm" data-testid="feature-code-input" />
          </Form.Item>
          <Form.Item label="有效年度">
            <InputNumber min={2000} max={2200} value={year} onChange={(v) => setYear(v ?? new Date().getFullYear())} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
