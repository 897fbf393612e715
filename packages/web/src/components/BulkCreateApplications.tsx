/**
 * Applications in bulk (批量建立毕业申请): for the students selected in a list, or a pasted column of 学号 (from
 * Excel, one a line), in one batch; optionally filed as applied when the students signed the paper form. The
 * answer is per student, in Chinese; refusals never stop the others.
 */
import { App, Button, Checkbox, Form, Input, Modal, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { useShowError } from '../api/notify';
import { BatchSelect } from './BatchSelect';

interface CreateResult {
  ref: string;
  ok: boolean;
  xuehao?: string;
  name?: string;
  code?: string;
  message: string;
}

/** 学号 from pasted text: one per line (or separated by commas, spaces or tabs), blanks dropped. */
export function parseXuehaoColumn(text: string): string[] {
  return text
    .split(/[\s,，;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function BulkCreateApplicationsButton({ studentIds, batchId, onDone }: { studentIds?: number[]; batchId?: number; onDone?: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="bulk-create-open">
        {studentIds?.length ? `为选中的 ${studentIds.length} 名学生建立毕业申请` : '批量建立毕业申请'}
      </Button>
      {open && <BulkCreateModal studentIds={studentIds} batchId={batchId} onClose={() => setOpen(false)} onDone={onDone} />}
    </>
  );
}

function BulkCreateModal({ studentIds, batchId, onClose, onDone }: { studentIds?: number[]; batchId?: number; onClose: () => void; onDone?: () => void }) {
  const [batch, setBatch] = useState<number | undefined>(batchId);
  const [text, setText] = useState('');
  const [signed, setSigned] = useState(false);
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<CreateResult[] | null>(null);
  const { message } = App.useApp();
  const showError = useShowError();
  const list = parseXuehaoColumn(text);
  const count = (studentIds?.length ?? 0) + list.length;

  async function run() {
    setBusy(true);
    try {
      const r = await api<{ results: CreateResult[]; okCount: number; failCount: number }>('/applications/bulk-create', {
        body: { batchId: batch, studentIds: studentIds?.length ? studentIds : undefined, xuehaoList: list.length ? list : undefined, apply: signed },
      });
      setResults(r.results);
      message.success(`已建立 ${r.okCount} 份毕业申请${r.failCount ? `，${r.failCount} 名未建立` : ''}`);
      onDone?.();
    } catch (e) {
      showError(e, '批量建立未成功');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      width={720}
      title="批量建立毕业申请"
      onCancel={onClose}
      footer={
        results
          ? [<Button key="close" type="primary" onClick={onClose} data-testid="bulk-create-close">完成</Button>]
          : [
              <Button key="cancel" onClick={onClose}>取消</Button>,
              <Button key="ok" type="primary" loading={busy} disabled={!batch || !count} onClick={() => void run()} data-testid="bulk-create-ok">
                建立 {count} 份申请
              </Button>,
            ]
      }
    >
      {results ? (
        <Table<CreateResult>
          size="small"
          rowKey={(r, i) => `${r.ref}-${i}`}
          dataSource={results}
          pagination={{ pageSize: 10 }}
          data-testid="bulk-create-results"
          columns={[
            { title: '学号', width: 150, render: (_, r) => r.xuehao ?? r.ref },
            { title: '结果', width: 80, render: (_, r) => <Tag color={r.ok ? 'green' : 'red'}>{r.ok ? '已建立' : '未建立'}</Tag> },
            { title: '说明', dataIndex: 'message', render: (m: string, r) => <span title={r.code ? `代码：${r.code}` : undefined}>{m}</span> },
          ]}
        />
      ) : (
        <Form layout="vertical">
          <Form.Item label="毕业批次" required>
            <BatchSelect value={batch} onChange={setBatch} />
          </Form.Item>
          {studentIds?.length ? <Typography.Paragraph>已选中 {studentIds.length} 名学生。</Typography.Paragraph> : null}
          <Form.Item label="粘贴学号（从 Excel 复制一列，每行一个）" extra={list.length ? `识别到 ${list.length} 个学号` : undefined}>
            <Input.TextArea rows={6} value={text} onChange={(e) => setText(e.target.value)} placeholder={'2337001200101\n2337001200102'} data-testid="bulk-create-xuehao" />
          </Form.Item>
          <Checkbox checked={signed} onChange={(e) => setSigned(e.target.checked)} data-testid="bulk-create-signed">
            学生已在纸质毕业申请表上签字（登记为“学生已申请”，可直接提交审核）
          </Checkbox>
        </Form>
      )}
    </Modal>
  );
}
