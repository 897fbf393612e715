/**
 * 导入学信网名单: province staff upload (or paste) the list of 学号 / 身份证号 that 学信网 flagged — photo
 * missing (缺学历照片) or identity doubtful (身份存疑) — and see the server's answer for every row.
 * The list is read in the browser (CSV/TXT, one identifier per line or per cell) and sent as JSON to
 * POST /api/students/flags/import.
 */
import { UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Form, Input, Modal, Radio, Space, Table, Tag, Upload } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { useShowError } from '../api/notify';
import type { FlagImportResult, ImportableFlag } from '../api/types';
import { parseIdentifiers } from '../collection';
import { FLAG_LABEL } from '../labels';

export function FlagImportButton({ onImported }: { onImported: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button icon={<UploadOutlined />} onClick={() => setOpen(true)} data-testid="flag-import-open">
        导入学信网名单
      </Button>
      {open && <FlagImportModal onClose={() => setOpen(false)} onImported={onImported} />}
    </>
  );
}

function FlagImportModal({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const { message } = App.useApp();
  const showError = useShowError();
  const [flag, setFlag] = useState<ImportableFlag>('chsi_photo_missing');
  const [set, setSet] = useState(true);
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<FlagImportResult | null>(null);
  const ids = parseIdentifiers(text);

  const run = async () => {
    setBusy(true);
    try {
      const r = await api<FlagImportResult>('/students/flags/import', { body: { flag, set, identifiers: ids } });
      setResult(r);
      const ok = r.rows.filter((x) => x.ok).length;
      message.success(`已处理 ${r.rows.length} 行：成功 ${ok}，未成功 ${r.rows.length - ok}`);
      onImported();
    } catch (e) {
      showError(e, '导入学信网名单未成功');
    } finally {
      setBusy(false);
    }
  };

  const okCount = result?.rows.filter((r) => r.ok).length ?? 0;
  return (
    <Modal open title="导入学信网名单" width={760} onCancel={onClose} footer={null} destroyOnHidden>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Form layout="vertical">
          <Form.Item label="标记">
            <Radio.Group value={flag} onChange={(e) => setFlag(e.target.value as ImportableFlag)} data-testid="flag-import-flag">
              <Radio value="chsi_photo_missing">{FLAG_LABEL.chsi_photo_missing}</Radio>
              <Radio value="identity_doubtful">{FLAG_LABEL.identity_doubtful}</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item label="操作">
            <Radio.Group value={set} onChange={(e) => setSet(e.target.value as boolean)}>
              <Radio value={true}>设置标记</Radio>
              <Radio value={false}>清除标记</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item label="名单（学号或身份证号，每行一个；也可选择 CSV / TXT 文件）" extra={`识别到 ${ids.length} 个学号 / 身份证号${fileName ? `（来自 ${fileName}）` : ''}`}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Upload
                accept=".csv,.txt,text/csv,text/plain"
                showUploadList={false}
                beforeUpload={async (file) => {
                  const buf = await file.arrayBuffer();
                  let t = new TextDecoder('utf-8').decode(buf);
                  // Excel on Chinese Windows saves CSV as GBK: fall back when UTF-8 decoding shows replacement characters
                  if (t.includes('\uFFFD')) t = new TextDecoder('gbk').decode(buf);
                  setText(t);
                  setFileName(file.name);
                  setResult(null);
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />} data-testid="flag-import-file">
                  选择文件
                </Button>
              </Upload>
              <Input.TextArea
                autoSize={{ minRows: 4, maxRows: 10 }}
                value={text}
                onChange={(e) => {
                  setText(e.target.value);
                  setFileName(null);
                  setResult(null);
                }}
                placeholder={'2237001200001\n370102199001010011'}
                data-testid="flag-import-text"
              />
            </Space>
          </Form.Item>
        </Form>
        <Button type="primary" loading={busy} disabled={!ids.length} onClick={() => void run()} data-testid="flag-import-submit">
          导入 {ids.length} 个
        </Button>
        {result && (
          <div data-testid="flag-import-result">
            <Alert
              type={okCount === result.rows.length ? 'success' : 'warning'}
              showIcon
              title={`成功 ${okCount}，未成功 ${result.rows.length - okCount}`}
              style={{ marginBottom: 8 }}
            />
            <Table
              size="small"
              rowKey={(r) => r.identifier}
              dataSource={result.rows}
              pagination={{ pageSize: 10 }}
              columns={[
                { title: '学号 / 身份证号', dataIndex: 'identifier', width: 200 },
                { title: '结果', width: 90, render: (_, r) => (r.ok ? <Tag color="green">成功</Tag> : <Tag color="red">未成功</Tag>) },
                {
                  title: '说明',
                  render: (_, r) => (
                    <span data-testid="flag-import-row" data-ok={r.ok ? '1' : '0'} data-code={r.code} title={r.code ? `代码：${r.code}` : undefined}>
                      {r.message}
                    </span>
                  ),
                },
              ]}
            />
          </div>
        )}
      </Space>
    </Modal>
  );
}
