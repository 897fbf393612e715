/**
 * My account (我的账号): who I am and changing my own password (修改密码). The server applies the password rule
 * and ends my other sessions; its Chinese reason is shown when it refuses.
 */
import { App, Button, Card, Descriptions, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useShowError } from '../api/notify';
import { useAuth, useUser } from '../auth/AuthContext';
import { PASSWORD_HINT } from './ChangePasswordPage';
import { ROLE_LABEL } from '../labels';

interface PasswordForm {
  oldPassword: string;
  newPassword: string;
  repeat: string;
}

export function PasswordPage({ onChanged }: { onChanged?: () => void }) {
  const user = useUser();
  const { changePassword } = useAuth();
  const [form] = Form.useForm<PasswordForm>();
  const { message } = App.useApp();
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  return (
    <Space orientation="vertical" style={{ width: '100%', maxWidth: 560 }} data-testid="password-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        我的账号
      </Typography.Title>
      <Card size="small">
        <Descriptions size="small" column={1}>
          <Descriptions.Item label="用户名">{user.username}</Descriptions.Item>
          <Descriptions.Item label="姓名">{user.displayName}</Descriptions.Item>
          <Descriptions.Item label="角色">{ROLE_LABEL[user.role]}</Descriptions.Item>
          <Descriptions.Item label="机构">{user.orgName}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title="修改密码">
        <Form
          form={form}
          layout="vertical"
          onFinish={async (v) => {
            setBusy(true);
            try {
              await changePassword(v.oldPassword, v.newPassword);
              message.success('密码已修改；其他设备上的登录已退出');
              form.resetFields();
              onChanged?.();
            } catch (e) {
              showError(e, '修改密码未成功');
            } finally {
              setBusy(false);
            }
          }}
        >
          <Form.Item name="oldPassword" label="原密码" rules={[{ required: true, message: '请输入原密码' }]}>
            <Input.Password autoComplete="current-password" data-testid="password-old" />
          </Form.Item>
          <Form.Item
            name="newPassword"
            label="新密码"
            extra={PASSWORD_HINT}
            rules={[{ required: true, message: '请输入新密码' }]}
          >
            <Input.Password autoComplete="new-password" data-testid="password-new" />
          </Form.Item>
          <Form.Item
            name="repeat"
            label="再次输入新密码"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: '请再次输入新密码' },
              ({ getFieldValue }) => ({
                validator: (_, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的新密码不一致'))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="password-repeat" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="password-submit">
            修改密码
          </Button>
        </Form>
      </Card>
      <Card size="small" title="邮件通知">
        毕业证书到达、申请退回等通知可以发到您的邮箱：<Link to="/notifications">设置我的邮箱</Link>
      </Card>
    </Space>
  );
}
