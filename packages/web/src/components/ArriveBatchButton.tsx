/**
 * Certificate arrival for a whole batch (整批登记到达): every certificate of the batch still waiting to arrive
 * — within the caller's organisation, or one centre chosen — recorded as arrived from where they came, with a
 * per-certificate result.
 */
import { App, Button, Form, Input, Modal, Table, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { useShowError } from '../api/notify';

interface ArriveResult {
  certificateId: number;
  studentName: string;
  xuehao: string;
  ok: boolean;
  code?: string;
  message: string;
}

export function ArriveBatchButton({ batchId, pendingCount, onDone }: { batchId?: number; pendingCount?: number; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button type="primary" disabled={!batchId} onClick={() => setOpen(true)} data-testid="cert-arrive-batch">
        整批登记到达{pendingCount !== undefined ? `（待到达 ${pendingCount} 本）` : ''}
      </Button>
      {open && batchId && <ArriveBatchModal batchId={batchId} onClose={() => setOpen(false)} onDone={onDone} />}
    </>
  );
}

function ArriveBatchModal({ batchId, onClose, onDone }: { batchId: number; onClose: () => void; onDone: () => void }) {
  const [from, setFrom] = useState('省级开放大学');
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<ArriveResult[] | null>(null);
  const { message } = App.useApp();
  const showError = useShowError();
  async function run() {
    setBusy(true);
    try {
      const r = await api<{ results: ArriveResult[]; okCount: number; failCount: number }>('/certificates/arrive-batch', { body: { batchId, receivedFrom: from.trim() } });
      setResults(r.results);
      message.success(r.results.length ? `已登记 ${r.okCount} 本证书到达${r.failCount ? `，${r.failCount} 本未成功` : ''}` : '本批次没有待到达的证书');
      onDone();
    } catch (e) {
      showError(e, '登记到达未成功');
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      open
      width={640}
      title="整批登记证书到达"
      onCancel={onClose}
      footer={
        results
          ? [<Button key="close" type="primary" onClick={onClose} data-testid="arrive-batch-close">完成</Button>]
          : [
              <Button key="cancel" onClick={onClose}>取消</Button>,
              <Button key="ok" type="primary" loading={busy} disabled={!from.trim()} onClick={() => void run()} data-testid="arrive-batch-ok">
                登记本批次全部待到达的证书
              </Button>,
            ]
      }
    >
      {results ? (
        <Table<ArriveResult>
          size="small"
          rowKey="certificateId"
          dataSource={results}
          pagination={{ pageSize: 10 }}
          data-testid="arrive-batch-results"
          columns={[
            { title: '学号', dataIndex: 'xuehao', width: 150 },
            { title: '姓名', dataIndex: 'studentName', width: 90 },
            { title: '结果', width: 80, render: (_, r) => <Tag color={r.ok ? 'green' : 'red'}>{r.ok ? '已到达' : '未登记'}</Tag> },
            { title: '说明', dataIndex: 'message', render: (m: string, r) => <span title={r.code ? `代码：${r.code}` : undefined}>{m}</span> },
          ]}
        />
      ) : (
        <Form layout="vertical">
          <Form.Item label="从何处接收" required>
            <Input value={from} onChange={(e) => setFrom(e.target.value)} data-testid="arrive-batch-from" />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
