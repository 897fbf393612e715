import { Button, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { useShowError } from '../api/notify';
import type { Student } from '../api/types';
import { useUser } from '../auth/AuthContext';

/**
 * 身份证号 as the server sends it — masked (370102********0040). The staff of the student's own learning centre
 * may ask for the full number (查看完整号码) with a reason; the server writes each reveal to the audit log.
 */
export function IdCardField({ student }: { student: Student }) {
  const user = useUser();
  const showError = useShowError();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [full, setFull] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mayReveal = user.role === 'centre_staff' && user.orgId === student.orgId;
  if (full) return <Typography.Text copyable data-testid="idcard-full">{full}</Typography.Text>;
  const reveal = async () => {
    setBusy(true);
    try {
      const r = await api<{ idCard: string }>(`/api/students/${student.id}/reveal-id-card`, { body: { reason: reason.trim() } });
      setFull(r.idCard);
    } catch (e) {
      showError(e, '未能查看完整号码');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space wrap size="small">
      <span data-testid="idcard-masked">{student.idCard}</span>
      {mayReveal && !asking && (
        <Button size="small" type="link" onClick={() => setAsking(true)} data-testid="idcard-reveal">
          查看完整号码
        </Button>
      )}
      {asking && (
        <Space.Compact>
          <Input
            size="small"
            maxLength={200}
            placeholder="查看理由（记入审计日志）"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-testid="idcard-reason"
          />
          <Button size="small" type="primary" loading={busy} disabled={!reason.trim()} onClick={reveal}>
            查看
          </Button>
        </Space.Compact>
      )}
    </Space>
  );
}
