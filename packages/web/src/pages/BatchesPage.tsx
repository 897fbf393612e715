/** Graduation batches (毕业批次): the list, and the windows form for the province. */
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, DatePicker, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api } from '../api/client';
import { useBatches } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { Batch } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { DaysLeftTag, fmtDate } from '../components/common';

interface BatchForm {
  name: string;
  deadline: Dayjs;
  windows: { name: string; range: [Dayjs, Dayjs] }[];
}

const D = 'YYYY-MM-DD';

export function BatchesPage() {
  const user = useUser();
  const batches = useBatches();
  const [editing, setEditing] = useState<Batch | 'new' | null>(null);
  const canEdit = user.role === 'province_reviewer' || user.role === 'admin';
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
        columns={[
          { title: '批次', dataIndex: 'name' },
          { title: '状态', dataIndex: 'open', render: (o: boolean) => (o ? <Tag color="green">窗口开放中</Tag> : <Tag>不在窗口内</Tag>) },
          {
            title: '审核窗口',
            render: (_, b) => (
              <Space orientation="vertical" size={0}>
                {b.windows.map((w) => (
                  <span key={`${w.name}${w.opensOn}`}>
                    {w.name}：{fmtDate(w.opensOn)} 至 {fmtDate(w.closesOn)}
                  </span>
                ))}
              </Space>
            ),
          },
          { title: '最终截止', dataIndex: 'deadline', render: (d: string) => <Space>{fmtDate(d)}<DaysLeftTag date={d} /></Space> },
          ...(canEdit ? [{ title: '操作', render: (_: unknown, b: Batch) => <Button size="small" onClick={() => setEditing(b)} data-testid={`batch-edit-${b.id}`}>修改窗口</Button> }] : []),
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
  const initial: Partial<BatchForm> = batch
    ? { name: batch.name, deadline: dayjs(batch.deadline), windows: batch.windows.map((w) => ({ name: w.name, range: [dayjs(w.opensOn), dayjs(w.closesOn)] as [Dayjs, Dayjs] })) }
    : { windows: [{ name: '第一次审核窗口', range: undefined as unknown as [Dayjs, Dayjs] }] };
  return (
    <Modal
      open
      title={batch ? `修改批次：${batch.name}` : '新建毕业批次'}
      okText="保存"
      cancelText="取消"
      onCancel={onClose}
      width={640}
      okButtonProps={{ 'data-testid': 'batch-save' }}
      onOk={async () => {
        const v = await form.validateFields();
        const body = {
          name: v.name.trim(),
          deadline: v.deadline.format(D),
          windows: v.windows.map((w) => ({ name: w.name.trim(), opensOn: w.range[0].format(D), closesOn: w.range[1].format(D) })),
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
        <Form.List name="windows">
          {(fields, { add, remove }) => (
            <Card size="small" title="审核窗口（窗口外不能提交）" extra={<Button size="small" icon={<PlusOutlined />} onClick={() => add({ name: '第二次审核窗口' })}>添加窗口</Button>}>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" wrap>
                  <Form.Item name={[f.name, 'name']} rules={[{ required: true, message: '窗口名称' }]}>
                    <Input placeholder="窗口名称" style={{ width: 160 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'range']} rules={[{ required: true, message: '请选择起止日期' }]}>
                    <DatePicker.RangePicker />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} />}
                </Space>
              ))}
            </Card>
          )}
        </Form.List>
        <Form.Item
          name="deadline"
          label="最终截止日期（此后本批次不再变动）"
          style={{ marginTop: 12 }}
          dependencies={['windows']}
          rules={[
            { required: true, message: '请选择最终截止日期' },
            ({ getFieldValue }) => ({
              validator(_, d: Dayjs | undefined) {
                const ws = (getFieldValue('windows') ?? []) as BatchForm['windows'];
                const last = ws.map((w) => w?.range?.[1]).filter(Boolean).sort((a, b) => b!.valueOf() - a!.valueOf())[0];
                return !d || !last || !d.isBefore(last, 'day') ? Promise.resolve() : Promise.reject(new Error('截止日期不能早于最后一个窗口的关闭日期'));
              },
            }),
          ]}
        >
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
