/** First start (首次初始化): the first administrator's password, with the one-time token the server console shows. */
import { KeyOutlined, LockOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Result, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import { useShowError } from '../api/notify';
import { PASSWORD_HINT } from './ChangePasswordPage';

export function SetupPage() {
  const showError = useShowError();
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<{ needed: boolean }>('/setup').then((r) => setNeeded(r.needed), (e: unknown) => showError(e, '无法读取初始化状态'));
  }, [showError]);
  if (done || needed === false)
    return <Result status={done ? 'success' : 'info'} title={done ? `首个管理员 ${done} 已创建` : '系统已初始化'} extra={<Link to="/login">前往登录</Link>} />;
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', padding: 16 }}>
      <Card style={{ width: 440, maxWidth: '100%' }}>
        <Typography.Title level={4}>首次初始化</Typography.Title>
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title="请输入服务器控制台显示的一次性初始化令牌，并为首个管理员 admin 设置密码" />
        <Form
          layout="vertical"
          onFinish={async (v: { token: string; password: string }) => {
            setBusy(true);
            try {
              const r = await api<{ username: string }>('/setup', { body: { token: v.token.trim(), password: v.password } });
              setDone(r.username);
            } catch (e) {
              showError(e, '初始化未成功');
            } finally {
              setBusy(false);
            }
          }}
        >
          <Form.Item name="token" label="初始化令牌" rules={[{ required: true, message: '请输入初始化令牌' }]}>
            <Input prefix={<KeyOutlined />} id="setup-token" autoComplete="off" />
          </Form.Item>
          <Form.Item name="password" label="管理员 admin 的密码" extra={PASSWORD_HINT} rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password prefix={<LockOutlined />} id="setup-password" autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            完成初始化
          </Button>
        </Form>
      </Card>
    </div>
  );
}
