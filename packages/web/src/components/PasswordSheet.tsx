/**
 * The printable list of initial passwords (初始密码单): one line per student with 姓名, 学号, 用户名, 初始密码 and
 * “首次登录须修改密码”. Printing shows only the list (print CSS below); the Excel copy is made by the server from
 * these rows, which it does not keep.
 */
import { PrinterOutlined, DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Space, Typography } from 'antd';
import { useState } from 'react';
import { apiUrl, currentCsrf, CSRF_HEADER } from '../api/client';
import { useShowError } from '../api/notify';
import { formatLocalTime } from '../format';

export interface SheetRow {
  name: string;
  xuehao: string;
  username: string;
  initialPassword: string;
}

const PRINT_CSS = `
@media print {
  body * { visibility: hidden !important; }
  .gp-password-sheet, .gp-password-sheet * { visibility: visible !important; }
  .gp-password-sheet { position: absolute; left: 0; top: 0; width: 100%; }
  .gp-no-print { display: none !important; }
  .gp-password-sheet tr { break-inside: avoid; }
}
.gp-password-sheet table { border-collapse: collapse; width: 100%; }
.gp-password-sheet th, .gp-password-sheet td { border: 1px solid #888; padding: 6px 10px; text-align: left; }
.gp-password-sheet td.pw { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 16px; letter-spacing: 1px; }
`;

export function PasswordSheet({ rows, onClose }: { rows: SheetRow[]; onClose: () => void }) {
  const showError = useShowError();
  const [busy, setBusy] = useState(false);
  const made = formatLocalTime(new Date().toISOString());

  async function downloadXlsx() {
    setBusy(true);
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const t = currentCsrf();
      if (t) headers[CSRF_HEADER] = t;
      const res = await fetch(apiUrl('/student-accounts/sheet.xlsx'), { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify({ rows }) });
      if (!res.ok) throw new Error(`下载未成功（${res.status}）`);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await res.blob());
      a.download = '学生账号初始密码单.xlsx';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      showError(e, '下载未成功');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div data-testid="password-sheet">
      <style>{PRINT_CSS}</style>
      <Space className="gp-no-print" wrap style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} data-testid="sheet-print">
          打印
        </Button>
        <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void downloadXlsx()} data-testid="sheet-xlsx">
          下载 Excel
        </Button>
        <Button onClick={onClose} data-testid="sheet-close">
          关闭（关闭后不能再查看初始密码）
        </Button>
      </Space>
      <Alert className="gp-no-print" type="warning" showIcon style={{ marginBottom: 12 }} title="初始密码只显示这一次，服务器不保存。请现在打印或下载，并妥善保管。" />
      <div className="gp-password-sheet">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          学生账号初始密码单
        </Typography.Title>
        <Typography.Paragraph>
          共 {rows.length} 名，生成时间：{made}，登录地址：{window.location.origin}
        </Typography.Paragraph>
        <table>
          <thead>
            <tr>
              <th>姓名</th>
              <th>学号</th>
              <th>用户名</th>
              <th>初始密码</th>
              <th>说明</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.xuehao} data-testid="sheet-row">
                <td>{r.name}</td>
                <td>{r.xuehao}</td>
                <td>{r.username}</td>
                <td className="pw">{r.initialPassword}</td>
                <td>首次登录须修改密码</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
