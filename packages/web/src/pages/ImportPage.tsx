/** Import (导入): the roster of a centre (.xlsx/.csv) and its photos (.zip or one .jpg). */
import { Card, Col, Row, Space, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useUser } from '../auth/AuthContext';
import { PhotoUpload, RosterUpload } from '../components/Uploads';
import { can } from '../permissions';

export function ImportPage() {
  const user = useUser();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        导入名册与照片
      </Typography.Title>
      <Typography.Text type="secondary">
        每次导入都会记录在 <Link to="/imports">导入记录</Link> 中：导入进行时刷新或离开页面，导入仍在服务器上继续，报告可随时查看和下载。
      </Typography.Text>
      <Row gutter={[16, 16]}>
        {can(user.role, 'maintain_students') && (
          <Col xs={24} xl={12}>
            <Card size="small" title="① 导入学生名册" data-testid="roster-card">
              <RosterUpload />
            </Card>
          </Col>
        )}
        {can(user.role, 'import_photos') && (
          <Col xs={24} xl={12}>
            <Card size="small" title="② 导入照片（以学号或身份证号命名）" data-testid="photo-import-card">
              <PhotoUpload />
            </Card>
          </Col>
        )}
      </Row>
    </Space>
  );
}
