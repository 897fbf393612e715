/**
 * The student's photo collection orders on the staff's student page (图像采集订单): the learning centre
 * opens one for a student whose 学信网 photo is missing. The collection centres offered are those whose
 * 特征码 the API lists to the centre (GET /api/collection/feature-codes; there is no list of collection
 * centres for learning centres), so a centre that has not set this year's 特征码 cannot be chosen.
 */
import { App, Button, Card, Empty, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import { useApi } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { CollectionOrder, Student } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { yuan } from '../collection';
import { CollectionStatusTag } from '../pages/CollectionPage';
import { fmtTime } from './common';
import { can } from '../permissions';

export function StudentCollectionCard({ student }: { student: Student }) {
  const user = useUser();
  const orders = useApi<{ items: CollectionOrder[] }>('/collection/orders');
  const canOpen = can(user.role, 'open_collection_order');
  const codes = useApi<{ items: { id: number; collectionOrgId: number; code: string; year: number }[] }>(canOpen ? '/collection/feature-codes' : null);
  const { message } = App.useApp();
  const showError = useShowError();
  const [centre, setCentre] = useState<number | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const mine = (orders.data?.items ?? []).filter((o) => o.studentId === student.id);
  const year = new Date().getFullYear();
  const centres = [...new Set((codes.data?.items ?? []).filter((c) => c.year === year).map((c) => c.collectionOrgId))];
  const chosen = centre ?? (centres.length === 1 ? centres[0] : undefined);
  const hasOpen = mine.some((o) => o.status !== 'shipped');
  if (!mine.length && !student.flags.chsiPhotoMissing) return null;

  return (
    <Card size="small" title="图像采集订单（学信网缺学历照片）" data-testid="student-collection-card">
      <Space orientation="vertical" style={{ width: '100%' }}>
        {mine.length ? (
          <Table<CollectionOrder>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={mine}
            columns={[
              { title: '订单号', dataIndex: 'id', width: 80, render: (id: number) => (user.role === 'collector' ? <Link to="/collection">{id}</Link> : id) },
              { title: '采集中心', dataIndex: 'collectionOrgName' },
              { title: '状态', render: (_, o) => <CollectionStatusTag order={o} /> },
              { title: '驳回次数', dataIndex: 'rejectionCount', width: 90 },
              { title: '已付', render: (_, o) => yuan(o.paidAmountFen), width: 100 },
              { title: '更新时间', dataIndex: 'updatedAt', render: fmtTime, width: 150 },
            ]}
          />
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚未开通图像采集订单" />
        )}
        {canOpen && !hasOpen && (
          <Space wrap>
            {centres.length > 1 && (
              <Select placeholder="图像采集中心" style={{ width: 200 }} value={centre} onChange={setCentre} options={centres.map((id) => ({ value: id, label: `采集中心 ${id}` }))} />
            )}
            <Button
              type="primary"
              loading={busy}
              disabled={!chosen}
              data-testid="collection-open-order"
              onClick={async () => {
                setBusy(true);
                try {
                  const o = await api<CollectionOrder>('/collection/orders', { body: { studentId: student.id, collectionOrgId: chosen } });
                  message.success(`已开通采集订单 ${o.id}（${o.collectionOrgName}），请告知学生在手机上上传照片并提交采集码和特征码`);
                  orders.reload();
                } catch (e) {
                  showError(e, '开通采集订单未成功');
                } finally {
                  setBusy(false);
                }
              }}
            >
              开通图像采集订单
            </Button>
            {!centres.length && codes.data && <span style={{ color: '#999' }}>采集中心尚未设置本年度特征码，暂不能开通</span>}
          </Space>
        )}
      </Space>
    </Card>
  );
}
