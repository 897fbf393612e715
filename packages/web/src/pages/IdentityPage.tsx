/** Identity re-verification (身份复核): students flagged 学信网身份存疑, with their review status. */
import { Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useApi } from '../api/hooks';
import type { Page, Student } from '../api/types';
import { ExportButton } from '../components/common';
import { IDENTITY_LABEL } from '../labels';

export function IdentityPage() {
  const list = useApi<Page<Student>>('/students', { query: { flag: 'identity_doubtful', pageSize: 200 } });
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="identity-page">
      <Space wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          身份复核
        </Typography.Title>
        <ExportButton path="/reports/students.xlsx" query={{ flag: 'identity_doubtful' }} name="身份存疑学生.xlsx" />
      </Space>
      <Typography.Paragraph type="secondary">学信网身份存疑的学生须由学习中心收集证明材料、省级开放大学作出决定后，才能申请毕业；未解决时终审会被阻止。</Typography.Paragraph>
      <Table<Student>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 680 }}
        columns={[
          { title: '学号', dataIndex: 'xuehao', render: (x: string, s) => <Link to={`/students/${s.id}`}>{x}</Link> },
          { title: '姓名', dataIndex: 'name' },
          { title: '身份证号', dataIndex: 'idCard' },
          { title: '学习中心', dataIndex: 'orgName' },
          { title: '复核状态', dataIndex: 'identityStatus', render: (s: Student['identityStatus']) => <Tag color={s === 'submitted' ? 'blue' : s === 'approved' ? 'green' : s === 'rejected' ? 'red' : 'orange'}>{s === 'none' ? '待收集材料' : IDENTITY_LABEL[s]}</Tag> },
        ]}
      />
    </Space>
  );
}
