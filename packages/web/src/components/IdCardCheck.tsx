/**
 * The hand-over identity check per row (领取人身份核验): the clerk types the number on the card in hand and the
 * server answers whether it is the student's own — the full number of the student is never shown on screen.
 */
import { Alert, Button, Space } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { useShowError } from '../api/notify';

export function IdCardCheck({ certificateId, idCard }: { certificateId: number; idCard: string | undefined }) {
  const [answer, setAnswer] = useState<{ match: boolean; message: string; for: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const showError = useShowError();
  const typed = (idCard ?? '').trim().toUpperCase();
  const shown = answer && answer.for === typed ? answer : null;
  return (
    <Space orientation="vertical" style={{ width: '100%', marginBottom: 12 }}>
      <Button
        size="small"
        disabled={typed.length !== 18}
        loading={busy}
        data-testid="handover-verify"
        onClick={async () => {
          setBusy(true);
          try {
            const r = await api<{ match: boolean; message: string }>(`/certificates/${certificateId}/verify-id-card`, { body: { idCard: typed } });
            setAnswer({ ...r, for: typed });
          } catch (e) {
            showError(e, '核对未成功');
          } finally {
            setBusy(false);
          }
        }}
      >
        与学生本人的身份证号核对
      </Button>
      {shown && <Alert type={shown.match ? 'success' : 'warning'} showIcon title={shown.message} data-testid="handover-verify-result" data-match={String(shown.match)} />}
    </Space>
  );
}
