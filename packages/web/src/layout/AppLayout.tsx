/** The frame around every staff and student page: header with user and organisation, menu per role. */
import { LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Grid, Layout, Menu, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useAuth, useUser } from '../auth/AuthContext';
import { ROLE_LABEL } from '../labels';
import { menuFor } from './menu';
import { ExportJobsButton } from '../components/ExportJobs';

const { Header, Sider, Content } = Layout;

export function AppLayout() {
  const user = useUser();
  const { logout } = useAuth();
  const nav = useNavigate();
  const loc = useLocation();
  const screens = Grid.useBreakpoint();
  const narrow = !screens.md;
  const [drawer, setDrawer] = useState(false);
  const items = menuFor(user.role).map((m) => ({ key: m.path, icon: m.icon, label: m.label }));
  // By whole path segments: /imports is not /import, /students/7 is /students.
  const selected = items.filter((i) => loc.pathname === i.key || loc.pathname.startsWith(`${i.key}/`)).map((i) => i.key);
  const menu = (
    <Menu
      mode="inline"
      selectedKeys={selected}
      items={items}
      onClick={(e) => {
        setDrawer(false);
        nav(e.key);
      }}
      data-testid="main-menu"
    />
  );
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header style={{ display: 'flex', alignItems: 'center', gap: 12, padding: narrow ? '0 12px' : '0 24px', background: '#003a8c' }}>
        {narrow && <Button type="text" icon={<MenuOutlined style={{ color: '#fff' }} />} onClick={() => setDrawer(true)} aria-label="菜单" />}
        <Typography.Text strong style={{ color: '#fff', fontSize: narrow ? 15 : 18, whiteSpace: 'nowrap' }}>
          {narrow ? '毕业审核' : 'gradpass 毕业审核与证照平台'}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <Space size={narrow ? 4 : 12} style={{ color: '#fff' }}>
          {!narrow && <span data-testid="user-org">{user.orgName}</span>}
          {user.role !== 'student' && <ExportJobsButton compact={narrow} />}
          <Tag color="gold" data-testid="user-role">{ROLE_LABEL[user.role]}</Tag>
          <Button type="link" size="small" style={{ color: '#fff', padding: 0 }} onClick={() => nav('/account')} data-testid="user-name" title="我的账号、修改密码">
            {user.displayName}
          </Button>
          <Button
            size="small"
            icon={<LogoutOutlined />}
            onClick={() => {
              void logout().then(() => nav('/login'));
            }}
          >
            {narrow ? '' : '退出'}
          </Button>
        </Space>
      </Header>
      <Layout>
        {!narrow && (
          <Sider width={200} theme="light" style={{ borderRight: '1px solid #f0f0f0' }}>
            {menu}
          </Sider>
        )}
        {narrow && (
          <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" size={240} title="菜单">
            {menu}
          </Drawer>
        )}
        <Content style={{ padding: narrow ? 12 : 24, minWidth: 0 }}>
          <Outlet />
        </Content>
      </Layout>
    </Layout>
  );
}
