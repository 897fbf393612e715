/**
 * 消息通知 (notifications): my own e-mail (which notices I want by e-mail); for staff, their organisation's
 * channels — e-mail addresses and the 企业微信 / 钉钉 group robots the notices run on (administrators may pick any
 * organisation they manage) — and the delivery log: what was sent, to whom, and what failed and why.
 */
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useApi, useOrgs } from '../api/hooks';
import { useShowError } from '../api/notify';
import { useUser } from '../auth/AuthContext';
import { formatLocalTime } from '../format';

interface EventInfo {
  code: string;
  label: string;
  audience: 'org' | 'student';
  hint: string;
}
interface Catalogue {
  events: EventInfo[];
  channels: Array<{ code: 'email' | 'wecom' | 'dingtalk'; label: string }>;
  emailConfigured: boolean;
}
interface Channel {
  id: number;
  orgId: number;
  kind: 'email' | 'wecom' | 'dingtalk';
  kindLabel: string;
  name: string;
  target: string;
  hasSecret: boolean;
  events: string[];
  enabled: boolean;
  updatedAt: string;
}
interface Prefs {
  email: string | null;
  enabled: boolean;
  events: string[];
  offered: string[];
}
interface Delivery {
  id: number;
  eventLabel: string;
  channelLabel: string;
  target: string;
  title: string;
  body: string;
  status: 'pending' | 'sent' | 'failed';
  statusLabel: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
}

const STATUS_COLOURS: Record<Delivery['status'], string> = { pending: 'gold', sent: 'green', failed: 'red' };
const TARGET_HINT: Record<Channel['kind'], string> = {
  email: '一个或多个邮箱，用逗号分隔',
  wecom: '群机器人的 Webhook 地址（https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…）',
  dingtalk: '群机器人的 Webhook 地址（https://oapi.dingtalk.com/robot/send?access_token=…）',
};

export function NotificationsPage() {
  const user = useUser();
  const { data: catalogue } = useApi<Catalogue>('/notifications/catalogue');
  const labels = new Map((catalogue?.events ?? []).map((e) => [e.code, e]));
  const staff = user.role !== 'student';
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="notifications-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        消息通知
      </Typography.Title>
      {catalogue && !catalogue.emailConfigured && (
        <Alert type="warning" showIcon title="本平台尚未设置发信邮箱，邮件通知暂时发不出去；群机器人通知不受影响。请联系系统管理员。" />
      )}
      <MyEmailCard labels={labels} />
      {staff && catalogue && <ChannelsCard catalogue={catalogue} />}
      <DeliveriesCard />
    </Space>
  );
}

function MyEmailCard({ labels }: { labels: Map<string, EventInfo> }) {
  const { data, reload } = useApi<Prefs>('/notifications/me');
  const [form] = Form.useForm<{ email: string; enabled: boolean; events: string[] }>();
  const { message } = App.useApp();
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (data) form.setFieldsValue({ email: data.email ?? '', enabled: data.enabled, events: data.events });
  }, [data, form]);
  if (!data) return <Card size="small" title="我的邮件通知" loading />;
  return (
    <Card size="small" title="我的邮件通知" style={{ maxWidth: 720 }}>
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          setBusy(true);
          try {
            await api('/notifications/me', { method: 'PATCH', body: { email: v.email || null, enabled: v.enabled, events: v.events ?? [] } });
            message.success('已保存');
            reload();
          } catch (e) {
            showError(e, '保存未成功');
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item name="email" label="我的邮箱" extra="留空则不给我发邮件">
          <Input type="email" autoComplete="email" placeholder="name@example.com" data-testid="my-email" style={{ maxWidth: 360 }} />
        </Form.Item>
        <Form.Item name="enabled" label="接收邮件通知" valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="events" label="发给我的通知">
          <Checkbox.Group
            options={data.offered.map((code) => ({
              value: code,
              label: <Tooltip title={labels.get(code)?.hint}>{labels.get(code)?.label ?? code}</Tooltip>,
            }))}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="my-email-save">
          保存
        </Button>
      </Form>
    </Card>
  );
}

function ChannelsCard({ catalogue }: { catalogue: Catalogue }) {
  const user = useUser();
  const { data: orgs } = useOrgs();
  const [orgId, setOrgId] = useState(user.orgId);
  const { data, reload, error } = useApi<{ items: Channel[] }>('/notifications/channels', { query: { orgId } }, [orgId]);
  const [adding, setAdding] = useState(false);
  const { message } = App.useApp();
  const showError = useShowError();
  const orgEvents = catalogue.events.filter((e) => e.audience === 'org');
  const eventLabel = (c: string) => catalogue.events.find((e) => e.code === c)?.label ?? c;
  const run = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      reload();
    } catch (e) {
      showError(e, `${what}未成功`);
    }
  };
  return (
    <Card
      size="small"
      title="本机构的通知渠道"
      extra={
        <Button type="primary" onClick={() => setAdding(true)} data-testid="channel-add">
          新建渠道
        </Button>
      }
    >
      {user.role === 'admin' && (
        <Space style={{ marginBottom: 12 }} wrap>
          <span>机构：</span>
          <Select
            showSearch
            optionFilterProp="label"
            style={{ minWidth: 280 }}
            value={orgId}
            onChange={setOrgId}
            options={(orgs?.items ?? []).map((o) => ({ value: o.id, label: o.name }))}
          />
        </Space>
      )}
      {error ? <Alert type="error" showIcon title={(error as Error).message} /> : null}
      <Table<Channel>
        rowKey="id"
        size="small"
        pagination={false}
        tableLayout="fixed"
        scroll={{ x: 940 }}
        dataSource={data?.items ?? []}
        locale={{ emptyText: '还没有通知渠道：新建一个，把提醒和退回推送到本机构的工作群或邮箱' }}
        columns={[
          { title: '名称', dataIndex: 'name', width: 150 },
          { title: '类型', dataIndex: 'kindLabel', width: 130 },
          {
            title: '地址',
            width: 220,
            render: (_, c) => (
              <span style={{ wordBreak: 'break-all' }}>
                {c.target}
                {c.hasSecret && <Tag style={{ marginLeft: 4 }}>已加签</Tag>}
              </span>
            ),
          },
          {
            title: '发送的通知',
            width: 230,
            render: (_, c) => (
              <Space size={[4, 4]} wrap>
                {c.events.map((e) => (
                  <Tag key={e}>{eventLabel(e)}</Tag>
                ))}
              </Space>
            ),
          },
          {
            title: '启用',
            width: 60,
            render: (_, c) => (
              <Switch
                checked={c.enabled}
                onChange={(on) => run('修改', () => api(`/notifications/channels/${c.id}`, { method: 'PATCH', body: { enabled: on } }))}
              />
            ),
          },
          {
            title: '操作',
            width: 150,
            render: (_, c) => (
              <Space wrap>
                <Button
                  size="small"
                  onClick={async () => {
                    try {
                      const r = await api<{ ok: boolean; message: string }>(`/notifications/channels/${c.id}/test`, { method: 'POST' });
                      if (r.ok) message.success(r.message);
                      else message.error(`测试消息未发出：${r.message}`, 8);
                    } catch (e) {
                      showError(e, '测试未成功');
                    }
                  }}
                >
                  发送测试
                </Button>
                <Popconfirm title={`删除“${c.name}”？`} okText="删除" cancelText="取消" onConfirm={() => run('删除', () => api(`/notifications/channels/${c.id}`, { method: 'DELETE' }))}>
                  <Button size="small" danger>
                    删除
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <NewChannelModal
        open={adding}
        orgId={orgId}
        catalogue={catalogue}
        orgEvents={orgEvents}
        onClose={(saved) => {
          setAdding(false);
          if (saved) reload();
        }}
      />
    </Card>
  );
}

interface ChannelForm {
  kind: Channel['kind'];
  name: string;
  target: string;
  secret?: string;
  events: string[];
}

function NewChannelModal(props: { open: boolean; orgId: number; catalogue: Catalogue; orgEvents: EventInfo[]; onClose: (saved: boolean) => void }) {
  const [form] = Form.useForm<ChannelForm>();
  const kind = Form.useWatch('kind', form) ?? 'wecom';
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      title="新建通知渠道"
      open={props.open}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      onCancel={() => props.onClose(false)}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ kind: 'wecom', events: props.orgEvents.map((e) => e.code) }}
        onFinish={async (v) => {
          setBusy(true);
          try {
            await api('/notifications/channels', { body: { ...v, orgId: props.orgId, secret: v.secret || null } });
            props.onClose(true);
          } catch (e) {
            showError(e, '保存未成功');
          } finally {
            setBusy(false);
          }
        }}
      >
        <Form.Item name="kind" label="类型">
          <Select options={props.catalogue.channels.map((c) => ({ value: c.code, label: c.label }))} />
        </Form.Item>
        <Form.Item name="name" label="名称" rules={[{ required: true, message: '请填写名称，如“毕业工作群”' }]}>
          <Input maxLength={50} placeholder="如：历下学习中心毕业工作群" />
        </Form.Item>
        <Form.Item name="target" label={kind === 'email' ? '邮箱' : '机器人地址'} extra={TARGET_HINT[kind]} rules={[{ required: true, message: '请填写' }]}>
          <Input />
        </Form.Item>
        {kind === 'dingtalk' && (
          <Form.Item name="secret" label="加签密钥" extra="机器人安全设置选了“加签”时填写（以 SEC 开头）；保存后不再显示">
            <Input.Password autoComplete="off" />
          </Form.Item>
        )}
        <Form.Item name="events" label="发送的通知" rules={[{ required: true, type: 'array', min: 1, message: '请至少选择一项' }]}>
          <Checkbox.Group
            style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
            options={props.orgEvents.map((e) => ({ value: e.code, label: `${e.label}（${e.hint}）` }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function DeliveriesCard() {
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [page, setPage] = useState(1);
  const { data, loading } = useApi<{ items: Delivery[]; total: number; page: number; pageSize: number }>(
    '/notifications/deliveries',
    { query: { status, page, pageSize: 20 } },
    [status, page],
  );
  return (
    <Card
      size="small"
      title="投递记录"
      extra={
        <Select
          allowClear
          placeholder="全部状态"
          style={{ width: 140 }}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          options={[
            { value: 'sent', label: '已发送' },
            { value: 'pending', label: '待发送或等待重试' },
            { value: 'failed', label: '发送失败' },
          ]}
        />
      }
    >
      <Table<Delivery>
        rowKey="id"
        size="small"
        loading={loading}
        scroll={{ x: 'max-content' }}
        dataSource={data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        locale={{ emptyText: '暂无投递记录' }}
        expandable={{ expandedRowRender: (d) => <pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{d.body}</pre> }}
        columns={[
          { title: '时间', render: (_, d) => formatLocalTime(d.sentAt ?? d.createdAt) },
          { title: '通知', dataIndex: 'eventLabel' },
          { title: '标题', dataIndex: 'title' },
          { title: '渠道', dataIndex: 'channelLabel' },
          { title: '发往', render: (_, d) => <span style={{ wordBreak: 'break-all' }}>{d.target}</span> },
          {
            title: '状态',
            render: (_, d) => (
              <Space size={4} wrap>
                <Tag color={STATUS_COLOURS[d.status]}>{d.statusLabel}</Tag>
                {d.status === 'pending' && d.nextAttemptAt && d.attempts > 0 && <span>下次 {formatLocalTime(d.nextAttemptAt)}</span>}
              </Space>
            ),
          },
          { title: '尝试次数', dataIndex: 'attempts' },
          {
            title: '最近一次失败原因',
            render: (_, d) => (d.lastError ? <span style={{ color: d.status === 'sent' ? undefined : '#cf1322' }}>{d.lastError}</span> : '—'),
          },
        ]}
      />
    </Card>
  );
}
