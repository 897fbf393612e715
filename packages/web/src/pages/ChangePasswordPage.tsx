/** Change password (修改密码): shown instead of every page while the account still has an initial password. */
import { LockOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useShowError } from '../api/notify';
import { useAuth } from '../auth/AuthContext';

export const PASSWORD_HINT = '至少 10 个字符（不计空格），混合字母、数字或符号，不能包含用户名，不能是常见密码';

export function ChangePasswordPage({ forced = false }: { forced?: boolean }) {
  const { user, changePassword, logout } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', padding: 16 }}>
      <Card style={{ width: 420, maxWidth: '100%' }} data-testid="change-password">
        <Typography.Title level={4}>修改密码</Typography.Title>
        {forced && (
          <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={`${user?.displayName ?? ''}，您的账号仍在使用初始密码，请先设置自己的密码`} />
        )}
        <Form
          layout="vertical"
          onFinish={async (v: { oldPassword: string; newPassword: string }) => {
            setBusy(true);
            try {
              await changePassword(v.oldPassword, v.newPassword);
              message.success('密码已修改，其他设备上的登录已退出');
            } catch (e) {
              showError(e, '修改密码未成功');
            } finally {
              setBusy(false);
            }
          }}
        >
          <Form.Item name="oldPassword" label="原密码（初始密码）" rules={[{ required: true, message: '请输入原密码' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" id="old-password" />
          </Form.Item>
          <Form.Item name="newPassword" label="新密码" extra={PASSWORD_HINT} rules={[{ required: true, message: '请输入新密码' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="new-password" id="new-password" />
          </Form.Item>
          <Form.Item
            name="confirm"
            label="再次输入新密码"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: '请再次输入新密码' },
              ({ getFieldValue }) => ({
                validator: (_, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的新密码不一致'))),
              }),
            ]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="new-password" id="confirm-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="change-password-submit">
            修改密码
          </Button>
          <Button type="link" block onClick={() => void logout()}>
            退出登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
