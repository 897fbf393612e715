/**
 * Review actions on one application (审核操作): the buttons a role may press in the current state, the
 * reason form for return/reject, the 同版 confirmation for submission. Refusals show the server's message.
 */
import { Alert, App, Button, Checkbox, Form, Input, Modal, Space } from 'antd';
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import { useShowError } from '../api/notify';
import type { Application, ApplicationAction, ApplicationState } from '../api/types';
import { actionsFor, offeredActions } from '../actions';

export { actionsFor, offeredActions };
import { useUser } from '../auth/AuthContext';
import { STATE_LABEL } from '../labels';

export const ACTION_BUTTON: Record<ApplicationAction, string> = {
  apply: '申请并签字',
  submit: '提交审核',
  approve: '审核通过',
  return: '退回',
  reject: '终审不通过',
};

export function approveLabel(state: ApplicationState): string {
  return state === 'province_approved' ? '终审通过（发放电子注册号）' : state === 'city_approved' ? '复审通过' : '审批通过';
}

export interface ActionInput {
  reason?: string;
  samePhotoConfirmed?: boolean;
  /** Bulk submission: the applications whose 同版 the clerk checked one by one. */
  samePhotoConfirmedIds?: number[];
  degreeRequested?: boolean;
  /** 同版 gate: why a photo comparing as another person or shot is submitted anyway. */
  referenceOverrideReason?: string;
}

/** One application in a bulk submission: the clerk ticks 同版 per student unless the machine found it. */
export interface SubmitItem {
  id: number;
  label: string;
  machineSame: boolean;
}

/** POST /api/applications/:id/actions */
export function runAction(id: number, action: ApplicationAction, input: ActionInput = {}): Promise<Application> {
  return api<Application>(`/applications/${id}/actions`, { body: { action, ...input } });
}

/** The modal asking for a reason (退回原因) or the submission confirmations; resolves with the input or null. */
export function ActionModal({
  action,
  state,
  count,
  items,
  open,
  onCancel,
  onOk,
}: {
  action: ApplicationAction | null;
  /** Bulk submission: the applications, for the per-student 同版 check. */
  items?: SubmitItem[];
  /** The state the applications are in (decides what approval means at this level). */
  state?: ApplicationState;
  count: number;
  open: boolean;
  onCancel: () => void;
  onOk: (input: ActionInput) => Promise<void>;
}) {
  const [form] = Form.useForm<ActionInput>();
  const [busy, setBusy] = useState(false);
  const needsReason = action === 'return' || action === 'reject';
  const title = action ? `${ACTION_BUTTON[action]}${count > 1 ? `（共 ${count} 份申请）` : ''}` : '';
  return (
    <Modal
      open={open}
      title={title}
      okText={count > 1 ? `确认${ACTION_BUTTON[action ?? 'approve']} ${count} 份` : '确认'}
      cancelText="取消"
      confirmLoading={busy}
      destroyOnHidden
      onCancel={onCancel}
      okButtonProps={{ danger: needsReason, 'data-testid': 'action-confirm' }}
      onOk={async () => {
        const v = await form.validateFields();
        setBusy(true);
        try {
          await onOk(v);
          form.resetFields();
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form form={form} layout="vertical" preserve={false}>
        {count > 1 && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={`此操作将作用于 ${count} 份申请，每份都会记录操作人和时间。`} />}
        {needsReason && (
          <Form.Item name="reason" label={action === 'return' ? '退回原因' : '不通过原因'} rules={[{ required: true, whitespace: true, message: '请填写原因，学习中心和学生会看到' }]}>
            <Input.TextArea rows={3} placeholder="例如：照片眼睛位置偏高，请重新采集" data-testid="action-reason" />
          </Form.Item>
        )}
        {action === 'submit' && items && items.length > 1 && <PerStudentSameShot items={items} />}
        {action === 'submit' && (
          <>
            {!(items && items.length > 1) && (
            <Form.Item
              name="samePhotoConfirmed"
              valuePropName="checked"
              rules={[{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error('提交前须确认照片与学信网照片同版'))) }]}
            >
              <Checkbox data-testid="same-photo-confirm">我已核对：照片与学信网学历照片为同一版本（同版）</Checkbox>
            </Form.Item>
            )}
            <Form.Item name="degreeRequested" valuePropName="checked">
              <Checkbox>同时申请学位</Checkbox>
            </Form.Item>
            <Alert type="info" showIcon title="提交后照片将被锁定，审核期间任何人不能替换；退回后自动解锁。" />
          </>
        )}
        {action === 'approve' && <ApproveNotice state={state} />}
        {action === 'apply' && <p>学生确认毕业申请信息无误并签字。</p>}
      </Form>
    </Modal>
  );
}

/** The 同版 check per student (seed 000 三.3): one box each, never one tick for the whole list. */
function PerStudentSameShot({ items }: { items: SubmitItem[] }) {
  const toTick = items.filter((i) => !i.machineSame);
  return (
    <>
      {items.some((i) => i.machineSame) && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 8 }}
          title={`${items.filter((i) => i.machineSame).length} 名学生的照片经比对与学信网照片同版，无需逐个勾选`}
        />
      )}
      {toTick.length > 0 && (
        <Form.Item
          name="samePhotoConfirmedIds"
          label="请逐个核对以下学生的照片与学信网学历照片为同一版本（同版）后勾选；未勾选的学生不会提交"
          initialValue={[]}
        >
          <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 4, maxHeight: 240, overflow: 'auto' }}>
            {toTick.map((i) => (
              <Checkbox key={i.id} value={i.id} data-testid={`same-photo-confirm-${i.id}`}>
                {i.label}
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
      )}
    </>
  );
}

/** What approving means at each level; 国开's approval is final and its 电子注册号 can never be voided. */
function ApproveNotice({ state }: { state?: ApplicationState }) {
  if (state === 'province_approved') {
    return (
      <Alert
        type="warning"
        showIcon
        data-testid="final-approve-notice"
        title="终审通过后即发放电子注册号，这是最后一级审核。"
        description="电子注册号一经生成永久有效，不能作废，学生也不能以任何理由申请作废并恢复学籍。请确认学生信息、照片与学信网一致后再通过。"
      />
    );
  }
  const next = state === 'submitted' ? '省级开放大学复审' : state === 'city_approved' ? '国家开放大学终审' : '下一级审核';
  return <p data-testid="approve-notice">确认审核通过后，申请将进入{next}。</p>;
}

/** The action buttons for one application, with its modal. */
export function ApplicationActions({ app, onDone }: { app: Application; onDone: (a: Application) => void }) {
  const user = useUser();
  const { message } = App.useApp();
  const showError = useShowError();
  const [action, setAction] = useState<ApplicationAction | null>(null);
  const [mismatch, setMismatch] = useState<{ message: string; input: ActionInput } | null>(null);
  const actions = offeredActions(user.role, app);
  if (!actions.length) return null;
  return (
    <Space wrap>
      {actions.map((a) => (
        <Button
          key={a}
          type={a === 'approve' || a === 'submit' || a === 'apply' ? 'primary' : 'default'}
          danger={a === 'return' || a === 'reject'}
          onClick={() => setAction(a)}
          data-testid={`action-${a}`}
        >
          {a === 'approve' ? approveLabel(app.state) : ACTION_BUTTON[a]}
        </Button>
      ))}
      <ActionModal
        action={action}
        state={app.state}
        count={1}
        open={action !== null}
        onCancel={() => setAction(null)}
        onOk={async (input) => {
          try {
            const next = await runAction(app.id, action!, input);
            setAction(null);
            message.success(`已${ACTION_BUTTON[action!]}：现为“${STATE_LABEL[next.state]}”`);
            for (const w of next.warnings ?? []) message.warning(w.message);
            onDone(next);
          } catch (e) {
            // the refusal stays on screen (notification); the dialog closes so the page shows the current state
            setAction(null);
            // 同版 gate: another person or shot than on 学信网 — replace the photo, or record why it is the same version
            if (e instanceof ApiError && e.code === 'REFERENCE_MISMATCH') setMismatch({ message: e.message, input });
            else showError(e, `${ACTION_BUTTON[action!]}未成功`);
          }
        }}
      />
      <ReferenceOverrideModal
        refusal={mismatch?.message ?? null}
        onCancel={() => setMismatch(null)}
        onOk={async (reason) => {
          try {
            const next = await runAction(app.id, 'submit', { ...mismatch!.input, referenceOverrideReason: reason });
            setMismatch(null);
            message.success(`已说明理由并提交：现为“${STATE_LABEL[next.state]}”`);
            onDone(next);
          } catch (e) {
            showError(e, '提交未成功');
          }
        }}
      />
    </Space>
  );
}

/**
 * The 同版 gate's refusal (REFERENCE_MISMATCH): the comparison with the 学信网 photo says another person or another
 * shot. The clerk replaces the photo — or, when it really is the same version, records why; the reason is kept and
 * shown to every later reviewer.
 */
function ReferenceOverrideModal({
  refusal,
  onCancel,
  onOk,
}: {
  refusal: string | null;
  onCancel: () => void;
  onOk: (reason: string) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open={refusal !== null}
      title="与学信网照片不是同一人或不是同版"
      okText="说明理由后提交"
      cancelText="取消，去更换照片"
      okButtonProps={{ danger: true, disabled: reason.trim().length < 4, 'data-testid': 'override-confirm' }}
      confirmLoading={busy}
      destroyOnHidden
      onCancel={onCancel}
      onOk={async () => {
        setBusy(true);
        try {
          await onOk(reason.trim());
          setReason('');
        } finally {
          setBusy(false);
        }
      }}
    >
      <Alert type="error" showIcon title={refusal} style={{ marginBottom: 12 }} data-testid="reference-mismatch" />
      <p>通常应更换为与学信网同版的照片。若确属同版（例如学信网照片为早年采集、本人到场核对无误），请写明理由：</p>
      <Input.TextArea
        rows={3}
        maxLength={500}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder="理由将记入审核记录，市级、省级和国开审核时都能看到"
        data-testid="override-reason"
      />
    </Modal>
  );
}
