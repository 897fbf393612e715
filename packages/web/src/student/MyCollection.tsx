/**
 * The student's photo collection orders (我的图像采集, seed 004), on the phone: upload the photo, submit
 * with the 学信网 采集码 and the collection centre's 特征码, pay the 67 yuan fee, and record when the paper
 * copies arrived (then check 学信网 within 20 working days). Opening an order needs the collection centre,
 * which the API does not list to students: the learning centre opens it.
 */
import { UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Empty, Form, Input, Space, Spin, Upload } from 'antd';
import { formatLocalDate } from '../format';
import { useState } from 'react';
import { api, uploadWithProgress } from '../api/client';
import { useApi } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { CollectionActionType, CollectionOrder, CollectionReminders } from '../api/types';
import { yuan } from '../collection';
import { fmtDate, fmtTime } from '../components/common';
import { CollectionStatusTag } from '../pages/CollectionPage';

export function MyCollection() {
  const orders = useApi<{ items: CollectionOrder[] }>('/collection/orders');
  const reminders = useApi<CollectionReminders>('/collection/reminders');
  const reload = () => {
    orders.reload();
    reminders.reload();
  };
  if (orders.loading && !orders.data) return <Spin />;
  const items = orders.data?.items ?? [];
  if (!items.length) return <Empty description="暂无图像采集订单。需要重新采集学历照片时，请联系学习中心开通采集订单。" />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="my-collection">
      {(reminders.data?.chsiChecks ?? []).map((c) => (
        <Alert key={c.orderId} type={c.overdue ? 'error' : 'warning'} showIcon title={c.message} description={`请于 ${fmtDate(c.dueOn)} 前登录学信网核对照片`} />
      ))}
      {items.map((o) => (
        <OrderCard key={o.id} order={o} onChanged={reload} />
      ))}
    </Space>
  );
}

function OrderCard({ order: o, onChanged }: { order: CollectionOrder; onChanged: () => void }) {
  const { message, notification } = App.useApp();
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  const [collectionCode, setCollectionCode] = useState(o.collectionCode ?? '');
  const [featureCode, setFeatureCode] = useState('');
  const [address, setAddress] = useState(o.shippingAddress ?? '');
  const [received, setReceived] = useState(formatLocalDate(new Date()));

  const act = async (type: CollectionActionType, body: Record<string, unknown>) => {
    setBusy(true);
    try {
      const res = await api<CollectionOrder>(`/collection/orders/${o.id}/actions`, { body: { type, ...body } });
      message.success(res.statusLabel);
      for (const w of res.warnings ?? []) notification.warning({ title: '提示', description: w.message, duration: 10 });
      onChanged();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  const canSubmit = o.status === 'created' || o.status === 'rejected';

  return (
    <Card size="small" title={`采集订单 ${o.id} · ${o.collectionOrgName}`} extra={<CollectionStatusTag order={o} />} data-testid="my-collection-order">
      <Space orientation="vertical" style={{ width: '100%' }}>
        {o.inPersonAdvice && <Alert type="error" showIcon title={o.inPersonAdvice} />}
        {o.status === 'rejected' && o.lastRejectionReason && <Alert type="warning" showIcon title={`驳回原因：${o.lastRejectionReason}`} />}
        <Descriptions size="small" column={1}>
          <Descriptions.Item label="驳回次数">{o.rejectionCount}</Descriptions.Item>
          <Descriptions.Item label="采集费">{o.paidAmountFen ? `已付 ${yuan(o.paidAmountFen)}（${fmtTime(o.paidAt)}）` : yuan(o.feeFen)}</Descriptions.Item>
          {o.trackingNumber && <Descriptions.Item label="快递单号">{o.trackingNumber}</Descriptions.Item>}
          {o.paperReceivedOn && <Descriptions.Item label="收到纸质照片">{fmtDate(o.paperReceivedOn)}</Descriptions.Item>}
        </Descriptions>
        {o.hasPhoto && <img src={`/api/collection/orders/${o.id}/photo?v=${encodeURIComponent(o.updatedAt ?? '')}`} alt="已上传的照片" style={{ width: 150, border: '1px solid #eee' }} />}
        {canSubmit && (
          <Form layout="vertical">
            <Form.Item label="本人照片（手机后置摄像头拍照或上传原始图片）">
              <Upload
                accept="image/jpeg"
                showUploadList={false}
                beforeUpload={async (file) => {
                  const form = new FormData();
                  form.set('file', file);
                  try {
                    await uploadWithProgress(`/collection/orders/${o.id}/photo`, form, () => undefined);
                    message.success('照片已上传');
                    onChanged();
                  } catch (e) {
                    showError(e, '上传照片未成功');
                  }
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />}>{o.hasPhoto ? '更换照片' : '上传照片'}</Button>
              </Upload>
            </Form.Item>
            <Form.Item label="学信网图像采集码（学信档案 → 高等教育信息 → 获取图像采集码）" required>
              <Input value={collectionCode} onChange={(e) => setCollectionCode(e.target.value)} data-testid="my-collection-code" />
            </Form.Item>
            <Form.Item label="特征码（采集中心公布，按年度有效）" required>
              <Input value={featureCode} onChange={(e) => setFeatureCode(e.target.value)} data-testid="my-feature-code" />
            </Form.Item>
            <Form.Item label="纸质照片收件地址">
              <Input value={address} onChange={(e) => setAddress(e.target.value)} />
            </Form.Item>
            <Button type="primary" block loading={busy} disabled={!collectionCode.trim() || !featureCode.trim()} onClick={() => void act('collection_submit', { collectionCode: collectionCode.trim(), featureCode: featureCode.trim(), shippingAddress: address })} data-testid="my-collection-submit">
              提交采集订单
            </Button>
          </Form>
        )}
        {o.status === 'first_review_passed' && (
          <Button type="primary" block loading={busy} onClick={() => void act('collection_pay', { amountFen: o.feeFen })} data-testid="my-collection-pay">
            确认已支付信息采集费 {yuan(o.feeFen)}
          </Button>
        )}
        {o.status === 'shipped' && !o.paperReceivedOn && (
          <Space wrap>
            <Input type="date" aria-label="收到纸质照片的日期" value={received} max={formatLocalDate(new Date())} onChange={(e) => setReceived(e.target.value)} data-testid="my-collection-received" />
            <Button loading={busy} disabled={!received} onClick={() => void act('collection_record_receipt', { receivedOn: received })} data-testid="my-collection-receipt">
              登记收到纸质照片
            </Button>
          </Space>
        )}
      </Space>
    </Card>
  );
}
