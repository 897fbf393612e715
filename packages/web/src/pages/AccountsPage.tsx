/**
 * Users and organisations (用户与机构), for administrators: the organisations of their subtree, new sub-units,
 * the users of each unit, new users with an initial password, and password resets. The server decides (admin
 * only, inside the subtree, role fitting the unit's level); these pages offer only what it allows.
 */
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { ROLE_LABELS, roleFitsLevel, type OrgLevel } from '@gradpass/core/organisation';
import { useState } from 'react';
import { api } from '../api/client';
import { useApi, useOrgs } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { Org, Page, Role, Student, User } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { ORG_KIND_LABEL, ROLE_LABEL } from '../labels';
import { can } from '../permissions';

/** Kinds of sub-unit each level may set up (services/orgs.ts CHILD_KINDS, which refuses the rest). */
const CHILD_KINDS: Record<string, OrgLevel[]> = {
  national: ['province', 'collection_centre'],
  province: ['city', 'collection_centre'],
  city: ['centre', 'collection_centre'],
  centre: [],
  collection_centre: [],
};

const ROLES: Role[] = ['centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'collector', 'admin', 'student'];

const kindLabel = (k: string) => ORG_KIND_LABEL[k as keyof typeof ORG_KIND_LABEL] ?? k;

export function AccountsPage() {
  const user = useUser();
  const orgs = useOrgs();
  if (!can(user.role, 'manage_accounts')) return null;
  const list = orgs.data?.items ?? [];
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="accounts-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        用户与机构
      </Typography.Title>
      <Tabs
        items={[
          { key: 'users', label: '用户', children: <UsersTab orgs={list} /> },
          { key: 'orgs', label: '机构', children: <OrgsTab orgs={list} onChanged={orgs.reload} /> },
        ]}
      />
    </Space>
  );
}

function UsersTab({ orgs }: { orgs: Org[] }) {
  const me = useUser();
  const { message } = App.useApp();
  const showError = useShowError();
  const [orgId, setOrgId] = useState<number | undefined>(undefined);
  const users = useApi<{ items: User[] }>('/users', { query: { orgId } });
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Card size="small">
        <Space wrap>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder="全部机构"
            style={{ width: 260 }}
            value={orgId}
            onChange={setOrgId}
            options={orgs.map((o) => ({ value: o.id, label: o.name }))}
            data-testid="users-org-filter"
          />
          <Button type="primary" onClick={() => setCreating(true)} data-testid="user-create-open">
            新建用户
          </Button>
        </Space>
      </Card>
      <Table<User>
        size="small"
        rowKey="id"
        loading={users.loading}
        dataSource={users.data?.items ?? []}
        scroll={{ x: 720 }}
        pagination={{ pageSize: 50, showTotal: (t) => `共 ${t} 个用户` }}
        data-testid="users-table"
        columns={[
          { title: '用户名', dataIndex: 'username', width: 150 },
          { title: '姓名', dataIndex: 'displayName', width: 120 },
          { title: '角色', dataIndex: 'role', width: 130, render: (r: Role) => <Tag>{ROLE_LABEL[r]}</Tag> },
          { title: '所属机构', dataIndex: 'orgName' },
          {
            title: '状态',
            width: 80,
            render: (_, u) => (u.disabled ? <Tag color="default">已停用</Tag> : <Tag color="green">使用中</Tag>),
          },
          {
            title: '操作',
            width: 190,
            render: (_, u) => (
              <Space>
                <Button size="small" onClick={() => setResetting(u)} data-testid="user-reset-open">
                  重置密码
                </Button>
                {u.id !== me.id && (
                  <Popconfirm
                    title={u.disabled ? `启用 ${u.displayName} 的账号？` : `停用 ${u.displayName} 的账号？停用后不能登录，已登录的会立即退出。`}
                    okText={u.disabled ? '启用' : '停用'}
                    cancelText="取消"
                    onConfirm={async () => {
                      try {
                        await api(`/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`, { body: {} });
                        message.success(u.disabled ? '已启用账号' : '已停用账号');
                        users.reload();
                      } catch (e) {
                        showError(e, u.disabled ? '启用未成功' : '停用未成功');
                      }
                    }}
                  >
                    <Button size="small" danger={!u.disabled} data-testid={`user-toggle-${u.username}`}>
                      {u.disabled ? '启用' : '停用'}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {creating && <CreateUserModal orgs={orgs} onClose={() => setCreating(false)} onDone={users.reload} />}
      {resetting && <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />}
    </Space>
  );
}

interface NewUser {
  username: string;
  displayName: string;
  orgId: number;
  role: Role;
  password: string;
  xuehao?: string;
}

function CreateUserModal({ orgs, onClose, onDone }: { orgs: Org[]; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<NewUser>();
  const orgId = Form.useWatch('orgId', form);
  const role = Form.useWatch('role', form);
  const org = orgs.find((o) => o.id === orgId);
  const roles = org ? ROLES.filter((r) => roleFitsLevel(r, org.kind as OrgLevel)) : [];
  const { message } = App.useApp();
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open
      title="新建用户"
      okText="建立账号"
      cancelText="取消"
      confirmLoading={busy}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'user-create-ok' }}
      onOk={async () => {
        const v = await form.validateFields();
        setBusy(true);
        try {
          let studentId: number | null = null;
          if (v.role === 'student') {
            const found = await api<Page<Student>>('/students', { query: { q: v.xuehao?.trim(), orgId: v.orgId, pageSize: 5 } });
            const s = found.items.find((x) => x.xuehao === v.xuehao?.trim());
            if (!s) {
              form.setFields([{ name: 'xuehao', errors: ['本学习中心没有这个学号的学生'] }]);
              return;
            }
            studentId = s.id;
          }
          await api<User>('/users', {
            body: { username: v.username.trim(), displayName: v.displayName.trim(), orgId: v.orgId, role: v.role, password: v.password, studentId },
          });
          message.success(`已建立账号 ${v.username.trim()}；首次登录须修改初始密码`);
          onDone();
          onClose();
        } catch (e) {
          showError(e, '建立账号未成功');
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form form={form} layout="vertical">
        <Form.Item name="orgId" label="所属机构" rules={[{ required: true, message: '请选择机构' }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={orgs.map((o) => ({ value: o.id, label: `${o.name}（${kindLabel(o.kind)}）` }))}
            onChange={() => form.setFieldValue('role', undefined)}
            data-testid="new-user-org"
          />
        </Form.Item>
        <Form.Item name="role" label="角色" rules={[{ required: true, message: '请选择角色' }]} extra={org ? `${kindLabel(org.kind)}可设的角色` : '先选择机构'}>
          <Select options={roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} disabled={!org} data-testid="new-user-role" />
        </Form.Item>
        {role === 'student' && (
          <Form.Item name="xuehao" label="学生学号" rules={[{ required: true, whitespace: true, message: '学生账号须对应本学习中心的一名学生' }]}>
            <Input maxLength={20} />
          </Form.Item>
        )}
        <Form.Item name="username" label="用户名（登录用）" rules={[{ required: true, whitespace: true, min: 2, message: '用户名至少 2 个字符' }]}>
          <Input autoComplete="off" data-testid="user-username" />
        </Form.Item>
        <Form.Item name="displayName" label="姓名" rules={[{ required: true, whitespace: true, message: '请填写姓名' }]}>
          <Input data-testid="user-display-name" />
        </Form.Item>
        <Form.Item name="password" label="初始密码" extra="至少 10 个字符，字母、数字、符号至少两类，不含用户名；交给本人，首次登录须修改" rules={[{ required: true, message: '请设置初始密码' }]}>
          <Input.Password autoComplete="new-password" data-testid="user-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const { message } = App.useApp();
  const showError = useShowError();
  return (
    <Modal
      open
      title={`重置密码：${user.displayName}（${user.username}）`}
      okText="重置"
      cancelText="取消"
      okButtonProps={{ disabled: !password, 'data-testid': 'user-reset-ok' }}
      onCancel={onClose}
      onOk={async () => {
        try {
          await api(`/users/${user.id}/password`, { body: { password } });
          message.success(`已重置 ${user.displayName} 的密码；其已登录的会话已退出，下次登录须修改密码`);
          onClose();
        } catch (e) {
          showError(e, '重置密码未成功');
        }
      }}
    >
      <Typography.Paragraph type="secondary">新的初始密码请当面或电话交给本人，不要发在群里。</Typography.Paragraph>
      <Input.Password value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" placeholder="新的初始密码" data-testid="user-reset-password" />
    </Modal>
  );
}

function OrgsTab({ orgs, onChanged }: { orgs: Org[]; onChanged: () => void }) {
  const [parent, setParent] = useState<Org | null>(null);
  const byParent = new Map<number | null, Org[]>();
  for (const o of orgs) byParent.set(o.parentId, [...(byParent.get(o.parentId) ?? []), o]);
  const ids = new Set(orgs.map((o) => o.id));
  type Node = Org & { children?: Node[] };
  const build = (o: Org): Node => {
    const kids = (byParent.get(o.id) ?? []).map(build);
    return kids.length ? { ...o, children: kids } : { ...o };
  };
  // the roots of what this administrator sees: units whose parent is outside their subtree
  const roots = orgs.filter((o) => o.parentId === null || !ids.has(o.parentId)).map(build);
  return (
    <>
      <Table<Node>
        size="small"
        rowKey="id"
        dataSource={roots}
        pagination={false}
        expandable={{ defaultExpandAllRows: true }}
        scroll={{ x: 640 }}
        data-testid="orgs-table"
        columns={[
          { title: '机构', dataIndex: 'name' },
          { title: '层级', dataIndex: 'kind', width: 150, render: (k: string) => <Tag>{kindLabel(k)}</Tag> },
          {
            title: '操作',
            width: 150,
            render: (_, o) =>
              (CHILD_KINDS[o.kind] ?? []).length ? (
                <Button size="small" onClick={() => setParent(o)} data-testid="org-create-open">
                  新建下级机构
                </Button>
              ) : null,
          },
        ]}
      />
      {parent && <CreateOrgModal parent={parent} onClose={() => setParent(null)} onDone={onChanged} />}
    </>
  );
}

function CreateOrgModal({ parent, onClose, onDone }: { parent: Org; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ name: string; kind: OrgLevel }>();
  const { message } = App.useApp();
  const showError = useShowError();
  const kinds = CHILD_KINDS[parent.kind] ?? [];
  return (
    <Modal
      open
      title={`在“${parent.name}”下新建机构`}
      okText="建立"
      cancelText="取消"
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'org-create-ok' }}
      onOk={async () => {
        const v = await form.validateFields();
        try {
          await api<Org>('/orgs', { body: { name: v.name.trim(), kind: v.kind, parentId: parent.id } });
          message.success(`已建立 ${v.name.trim()}`);
          onDone();
          onClose();
        } catch (e) {
          showError(e, '建立机构未成功');
        }
      }}
    >
      <Form form={form} layout="vertical" initialValues={{ kind: kinds[0] }}>
        <Form.Item name="kind" label="层级" rules={[{ required: true }]}>
          <Select options={kinds.map((k) => ({ value: k, label: kindLabel(k) }))} data-testid="org-kind" />
        </Form.Item>
        <Form.Item name="name" label="名称" rules={[{ required: true, whitespace: true, message: '请填写机构名称' }]}>
          <Input placeholder="例如：济南市开放大学槐荫学习中心" data-testid="org-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
