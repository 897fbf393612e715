/**
 * Certificates (证书发放): arrival of certificates at the centre (custody), hand-over, confirmation, the
 * "not yet handed over" report per centre, XLSX exports.
 */
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import { useApi } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { Application, Certificate, CertificatePendingRow, Page } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { ArriveBatchButton } from '../components/ArriveBatchButton';
import { BatchSelect } from '../components/BatchSelect';
import { CertStateTag, ConfirmButtons, HandoverModal, certView } from '../components/CertificateCard';
import { ExportButton, fmtDate, fmtTime } from '../components/common';
import { CERT_STATE_LABEL } from '../labels';
import { can } from '../permissions';

export function CertificatesPage() {
  const user = useUser();
  const [batchId, setBatchId] = useState<number | undefined>(undefined);
  const [state, setState] = useState<Certificate['state'] | undefined>(undefined);
  const [page, setPage] = useState({ current: 1, pageSize: 50 });
  const certs = useApi<Page<Certificate>>(batchId ? '/certificates' : null, { query: { batchId, state, page: page.current, pageSize: page.pageSize } });
  const pending = useApi<{ rows: CertificatePendingRow[] }>(batchId ? '/certificates/pending' : null, { query: { batchId } });
  const [handover, setHandover] = useState<Certificate | null>(null);
  const [arrive, setArrive] = useState(false);
  const canArrive = can(user.role, 'certificate_record_arrival');
  const canHandOver = can(user.role, 'certificate_hand_over');
  const reload = () => {
    certs.reload();
    pending.reload();
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="certificates-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        证书发放
      </Typography.Title>
      <Card size="small">
        <Space wrap>
          <BatchSelect value={batchId} onChange={setBatchId} />
          <Select allowClear placeholder="全部状态" style={{ width: 170 }} value={state} onChange={setState} options={Object.entries(CERT_STATE_LABEL).map(([value, label]) => ({ value, label }))} />
          {canArrive && <ArriveBatchButton batchId={batchId} onDone={reload} />}
          {canArrive && (
            <Button onClick={() => setArrive(true)} disabled={!batchId} data-testid="cert-arrive">
              登记证书到达
            </Button>
          )}
          <ExportButton path="/reports/certificates-pending.xlsx" query={{ batchId }} name="证书未发放统计.xlsx" label="导出未发放统计" />
          <ExportButton path="/reports/certificates.xlsx" query={{ batchId, state }} name="证书发放名单.xlsx" label="导出发放名单" />
        </Space>
      </Card>
      <Tabs
        items={[
          {
            key: 'list',
            label: '证书名单',
            children: (
              <Table<Certificate>
                size="small"
                rowKey="id"
                loading={certs.loading}
                dataSource={certs.data?.items ?? []}
                scroll={{ x: 1470 }}
                data-testid="certificates-table"
                pagination={{ ...page, total: certs.data?.total ?? 0, showTotal: (t) => `共 ${t} 本`, onChange: (current, pageSize) => setPage({ current, pageSize }) }}
                columns={[
                  { title: '学号', dataIndex: 'xuehao', width: 136, render: (x: string, c) => <Link to={`/students/${c.studentId}`}>{x}</Link> },
                  { title: '姓名', dataIndex: 'studentName', width: 80 },
                  { title: '学习中心', dataIndex: 'orgName', width: 140 },
                  { title: '电子注册号', dataIndex: 'registrationNumber', width: 170 },
                  { title: '状态', dataIndex: 'state', width: 140, render: (s: Certificate['state']) => <CertStateTag state={s} /> },
                  { title: '到达', width: 190, render: (_, c) => (certView(c).receivedAt ? `${fmtDate(certView(c).receivedAt)} · ${c.receivedFrom ?? ''}` : '—') },
                  { title: '发放', width: 200, render: (_, c) => (certView(c).handedAt ? `${fmtTime(certView(c).handedAt)} · ${certView(c).handedToName ?? ''}` : '—') },
                  { title: '问题', width: 180, render: (_, c) => certView(c).problem ?? '' },
                  {
                    title: '操作',
                    width: 230,
                    fixed: 'right',
                    render: (_, c) =>
                      c.state === 'arrived' && canHandOver ? (
                        <Button size="small" type="primary" onClick={() => setHandover(c)} data-testid="cert-handover">
                          登记发放
                        </Button>
                      ) : c.state === 'handed_over' ? (
                        <Space size={4}>
                          <ConfirmButtons cert={c} onChanged={reload} />
                        </Space>
                      ) : null,
                  },
                ]}
              />
            ),
          },
          {
            key: 'pending',
            label: '未发放统计（按学习中心）',
            children: (
              <Table
                size="small"
                rowKey={(r) => r.org?.id ?? r.centrePath ?? ''}
                dataSource={pending.data?.rows ?? []}
                pagination={false}
                columns={[
                  { title: '学习中心', render: (_, r) => r.org?.name ?? r.centrePath },
                  { title: '未发放', dataIndex: 'notHandedOver', align: 'right' },
                  { title: '合计', dataIndex: 'total', align: 'right' },
                ]}
              />
            ),
          },
        ]}
      />
      {handover && <HandoverModal cert={handover} open onClose={() => setHandover(null)} onDone={reload} />}
      {arrive && batchId && <ArriveModal batchId={batchId} onClose={() => setArrive(false)} onDone={reload} />}
    </Space>
  );
}

function ArriveModal({ batchId, onClose, onDone }: { batchId: number; onClose: () => void; onDone: () => void }) {
  const graduated = useApi<Page<Application>>('/applications', { query: { batchId, state: 'graduated', pageSize: 200 } });
  const [form] = Form.useForm<{ applicationIds: number[]; receivedFrom: string }>();
  const { message, modal } = App.useApp();
  const showError = useShowError();
  return (
    <Modal
      open
      title="登记证书到达学习中心（保管）"
      okText="登记到达"
      cancelText="取消"
      width={640}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'arrive-ok' }}
      onOk={async () => {
        const v = await form.validateFields();
        try {
          const r = await api<{ results: { applicationId: number; ok: boolean; code?: string; message?: string }[] }>('/certificates/arrive', {
            body: { applicationIds: v.applicationIds, receivedFrom: v.receivedFrom.trim() },
          });
          const bad = r.results.filter((x) => !x.ok);
          if (bad.length) {
            modal.warning({
              title: `${r.results.length - bad.length} 本已登记，${bad.length} 本未成功`,
              content: (
                <ul>
                  {bad.map((b) => {
                    const app = graduated.data?.items.find((a) => a.id === b.applicationId);
                    return (
                      <li key={b.applicationId} title={b.code ? `代码：${b.code}` : undefined}>
                        {app ? `${app.studentName}（${app.xuehao}）` : '一名学生'}：{b.message}
                      </li>
                    );
                  })}
                </ul>
              ),
            });
          } else message.success(`已登记 ${r.results.length} 本证书到达`);
          onDone();
          onClose();
        } catch (e) {
          showError(e, '登记到达未成功');
        }
      }}
    >
      <Form form={form} layout="vertical" initialValues={{ receivedFrom: '省级开放大学' }}>
        <Form.Item name="applicationIds" label="已毕业的学生（已发电子注册号）" rules={[{ required: true, message: '请选择学生' }]}>
          <Select
            mode="multiple"
            loading={graduated.loading}
            placeholder="选择证书已到达的学生"
            optionFilterProp="label"
            options={(graduated.data?.items ?? []).map((a) => ({ value: a.id, label: `${a.studentName} ${a.xuehao} ${a.registrationNumber ?? ''}` }))}
            data-testid="arrive-select"
          />
        </Form.Item>
        <Form.Item name="receivedFrom" label="从何处接收" rules={[{ required: true, whitespace: true, message: '请填写' }]}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}
