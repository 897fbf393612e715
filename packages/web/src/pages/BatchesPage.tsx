/** Graduation batches (毕业批次): the list, and the windows form for the province. */
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, DatePicker, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api } from '../api/client';
import { useBatches } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { Batch } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { batchWindows } from '../components/BatchSelect';
import { DaysLeftTag, fmtDate } from '../components/common';
import { WINDOW_LABEL } from '../labels';
import { can } from '../permissions';

interface BatchForm {
  name: string;
  first: [Dayjs, Dayjs];
  secondStart?: Dayjs | null;
  secondEnd: Dayjs;
  deadline: Dayjs;
  collectionDeadline?: Dayjs | null;
}

const D = 'YYYY-MM-DD';

export function BatchesPage() {
  const user = useUser();
  const batches = useBatches();
  const [editing, setEditing] = useState<Batch | 'new' | null>(null);
  const canEdit = can(user.role, 'configure_batch');
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space>
        <Typography.Title level={3} style={{ margin: 0 }}>
          毕业批次
        </Typography.Title>
        {canEdit && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="batch-new">
            新建批次
          </Button>
        )}
      </Space>
      <Table<Batch>
        rowKey="id"
        size="small"
        loading={batches.loading}
        dataSource={batches.data?.items ?? []}
        pagination={false}
        data-testid="batches-table"
        scroll={{ x: 900 }}
        columns={[
          { title: '批次', dataIndex: 'name' },
          { title: '设置单位', dataIndex: 'orgName' },
          {
            title: '状态',
            render: (_, b) => (b.open ? <Tag color="green">{WINDOW_LABEL[b.openWindow ?? ''] ?? '窗口'}开放中</Tag> : <Tag>不在提交窗口内</Tag>),
          },
          {
            title: '审核窗口',
            render: (_, b) => (
              <Space orientation="vertical" size={0}>
                {batchWindows(b).map((w) => (
                  <span key={w.name}>
                    {w.name}：{w.start ? fmtDate(w.start) : '成绩发布后'} 至 {fmtDate(w.end)}
                  </span>
                ))}
              </Space>
            ),
          },
          { title: '最终截止', dataIndex: 'deadline', render: (d: string) => <Space>{fmtDate(d)}<DaysLeftTag date={d} /></Space> },
          { title: '图像采集截止', dataIndex: 'collectionDeadline', render: (d: string | null) => (d ? fmtDate(d) : '—') },
          ...(canEdit
            ? [
                {
                  title: '操作',
                  render: (_: unknown, b: Batch) => (
                    <Button size="small" onClick={() => setEditing(b)} data-testid={`batch-edit-${b.id}`}>
                      修改时间
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing && <BatchModal batch={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={batches.reload} />}
    </Space>
  );
}

function BatchModal({ batch, onClose, onSaved }: { batch: Batch | null; onClose: () => void; onSaved: () => void }) {
  const [form] = Form.useForm<BatchForm>();
  const { message } = App.useApp();
  const showError = useShowError();
  const initial: Partial<BatchForm> | undefined = batch
    ? {
        name: batch.name,
        first: [dayjs(batch.firstWindow.start), dayjs(batch.firstWindow.end)],
        secondStart: batch.secondWindow.start ? dayjs(batch.secondWindow.start) : null,
        secondEnd: dayjs(batch.secondWindow.end),
        deadline: dayjs(batch.deadline),
        collectionDeadline: batch.collectionDeadline ? dayjs(batch.collectionDeadline) : null,
      }
    : undefined;
  return (
    <Modal
      open
      title={batch ? `修改批次：${batch.name}` : '新建毕业批次'}
      okText="保存"
      cancelText="取消"
      onCancel={onClose}
      width={600}
      okButtonProps={{ 'data-testid': 'batch-save' }}
      onOk={async () => {
        const v = await form.validateFields();
        const body = {
          name: v.name.trim(),
          firstWindow: { start: v.first[0].format(D), end: v.first[1].format(D) },
          secondWindow: { start: v.secondStart ? v.secondStart.format(D) : null, end: v.secondEnd.format(D) },
          deadline: v.deadline.format(D),
          collectionDeadline: v.collectionDeadline ? v.collectionDeadline.format(D) : null,
        };
        try {
          if (batch) await api<Batch>(`/batches/${batch.id}`, { method: 'PATCH', body });
          else await api<Batch>('/batches', { body });
          message.success('批次已保存');
          onSaved();
          onClose();
        } catch (e) {
          showError(e, '保存批次未成功');
        }
      }}
    >
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="name" label="批次名称" rules={[{ required: true, whitespace: true, message: '请填写批次名称，例如 2026年1月毕业' }]}>
          <Input placeholder="2026年1月毕业" data-testid="batch-name" />
        </Form.Item>
        <Form.Item name="first" label="第一次审核窗口（起止日期，含当天）" rules={[{ required: true, message: '请选择第一次审核窗口' }]}>
          <DatePicker.RangePicker style={{ width: '100%' }} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="secondStart" label="第二次窗口开放（成绩发布日，可暂不填）">
            <DatePicker />
          </Form.Item>
          <Form.Item name="secondEnd" label="第二次窗口关闭" rules={[{ required: true, message: '请选择' }]}>
            <DatePicker />
          </Form.Item>
        </Space>
        <Space wrap>
          <Form.Item
            name="deadline"
            label="最终截止日期（此后本批次不再变动）"
            dependencies={['secondEnd']}
            rules={[
              { required: true, message: '请选择最终截止日期' },
              ({ getFieldValue }) => ({
                validator(_, d: Dayjs | undefined) {
                  const end = getFieldValue('secondEnd') as Dayjs | undefined;
                  return !d || !end || !d.isBefore(end, 'day') ? Promise.resolve() : Promise.reject(new Error('截止日期不能早于第二次窗口关闭日期'));
                },
              }),
            ]}
          >
            <DatePicker />
          </Form.Item>
          <Form.Item name="collectionDeadline" label="图像采集截止（可选）">
            <DatePicker />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}
