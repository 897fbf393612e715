/**
 * One certificate (毕业证书): custody, hand-over form (centre staff), and the student's confirmation
 * that it matches 学信网 — or the problem they report.
 */
import { App, Button, Checkbox, Descriptions, Form, Input, Modal, Radio, Space, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../api/client';
import { useShowError } from '../api/notify';
import { IdCardCheck } from './IdCardCheck';
import type { Certificate } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { CERT_STATE_COLOR, CERT_STATE_LABEL } from '../labels';
import { fmtDate, fmtTime } from './common';
import { can } from '../permissions';

/** One reading of a certificate whatever the server's field names (flat or with a `handover` object). */
export function certView(c: Certificate) {
  const problem = typeof c.problem === 'string' ? c.problem : (c.problem?.description ?? null);
  return {
    receivedAt: c.receivedAt ?? c.arrivedAt ?? null,
    handedToName: c.handedToName ?? c.handover?.name ?? null,
    authorised: (c.handedToKind ?? c.handover?.recipient) === 'authorised_person' || c.handedToKind === 'authorised',
    idChecked: c.idChecked ?? c.handover?.idChecked ?? false,
    handedAt: c.handedAt ?? c.handover?.at ?? null,
    problem,
  };
}

export function CertStateTag({ state }: { state: Certificate['state'] }) {
  return (
    <Tag color={CERT_STATE_COLOR[state]} data-testid="cert-state" data-state={state}>
      {CERT_STATE_LABEL[state]}
    </Tag>
  );
}

export function CertificateCard({ cert: c, onChanged }: { cert: Certificate; onChanged: () => void }) {
  const user = useUser();
  const [handover, setHandover] = useState(false);
  const v = certView(c);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
        <Descriptions.Item label="状态">
          <CertStateTag state={c.state} />
        </Descriptions.Item>
        <Descriptions.Item label="电子注册号">{c.registrationNumber ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="交来单位">{c.receivedFrom ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="到达中心">{fmtDate(v.receivedAt)}</Descriptions.Item>
        <Descriptions.Item label="领取人">{v.handedToName ? `${v.handedToName}（${v.authorised ? '受托人' : '本人'}）` : '—'}</Descriptions.Item>
        <Descriptions.Item label="发放时间">{fmtTime(v.handedAt)}</Descriptions.Item>
        <Descriptions.Item label="核验证件">{v.handedAt ? (v.idChecked ? '已核验' : '未核验') : '—'}</Descriptions.Item>
        <Descriptions.Item label="学生确认">{c.confirmedAt ? fmtTime(c.confirmedAt) : '—'}</Descriptions.Item>
        {v.problem && <Descriptions.Item label="反馈问题">{v.problem}</Descriptions.Item>}
      </Descriptions>
      <Space wrap>
        {c.state === 'arrived' && can(user.role, 'certificate_hand_over') && (
          <Button type="primary" onClick={() => setHandover(true)} data-testid="cert-handover">
            登记发放
          </Button>
        )}
        {c.state === 'handed_over' && <ConfirmButtons cert={c} onChanged={onChanged} />}
      </Space>
      <HandoverModal cert={c} open={handover} onClose={() => setHandover(false)} onDone={onChanged} />
    </Space>
  );
}

export function ConfirmButtons({ cert, onChanged }: { cert: Certificate; onChanged: () => void }) {
  const user = useUser();
  const { message, modal } = App.useApp();
  const showError = useShowError();
  const [problem, setProblem] = useState(false);
  const [text, setText] = useState('');
  const canConfirm = can(user.role, 'certificate_confirm');
  const canReport = can(user.role, 'certificate_report_problem');
  if (!canConfirm && !canReport) return null;
  return (
    <>
      {canConfirm && (
      <Button
        type="primary"
        data-testid="cert-confirm"
        onClick={() =>
          modal.confirm({
            title: '确认证书信息',
            content: '证书上的姓名、专业、层次和电子注册号与学信网一致。',
            okText: '确认无误',
            cancelText: '取消',
            onOk: async () => {
              try {
                await api<Certificate>(`/certificates/${cert.id}/confirm`, { body: {} });
                message.success('已确认证书与学信网一致');
                onChanged();
              } catch (e) {
                showError(e, '确认未成功');
              }
            },
          })
        }
      >
        证书无误，确认
      </Button>
      )}
      {canReport && (
        <Button danger onClick={() => setProblem(true)} data-testid="cert-problem">
          {canConfirm ? '证书有问题' : '登记学生反馈的问题'}
        </Button>
      )}
      <Modal
        open={problem}
        title="反馈证书问题"
        okText="提交"
        cancelText="取消"
        onCancel={() => setProblem(false)}
        okButtonProps={{ disabled: !text.trim() }}
        onOk={async () => {
          try {
            await api<Certificate>(`/certificates/${cert.id}/problem`, { body: { text: text.trim() } });
            message.success('问题已提交，将逐级上报处理');
            setProblem(false);
            onChanged();
          } catch (e) {
            showError(e, '提交未成功');
          }
        }}
      >
        <Input.TextArea rows={3} value={text} onChange={(e) => setText(e.target.value)} placeholder="例如：证书姓名有错字，与学信网不一致" />
      </Modal>
    </>
  );
}

interface HandoverValues {
  recipient: 'student' | 'authorised_person';
  name: string;
  idCard: string;
  idChecked: boolean;
  signed: boolean;
  authorisationNote?: string;
}

/** A checkbox rule: the box must be ticked by hand. */
const mustTick = (message: string) => ({ validator: (_: unknown, v: unknown) => (v ? Promise.resolve() : Promise.reject(new Error(message))) });

export function HandoverModal({ cert, open, onClose, onDone }: { cert: Certificate; open: boolean; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<HandoverValues>();
  const recipient = Form.useWatch('recipient', form);
  const typedIdCard = Form.useWatch('idCard', form);
  const { message } = App.useApp();
  const showError = useShowError();
  return (
    <Modal
      open={open}
      title={`登记证书发放：${cert.studentName}（${cert.xuehao}）`}
      okText="登记发放"
      cancelText="取消"
      destroyOnHidden
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'handover-ok' }}
      onOk={async () => {
        const v = await form.validateFields();
        try {
          await api<Certificate>(`/certificates/${cert.id}/handover`, {
            body: { recipient: v.recipient, name: v.name.trim(), idCard: v.idCard.trim().toUpperCase(), idChecked: !!v.idChecked, signed: !!v.signed, authorisationNote: v.authorisationNote?.trim() || undefined },
          });
          message.success('已登记发放');
          onClose();
          onDone();
        } catch (e) {
          showError(e, '登记发放未成功');
        }
      }}
    >
      <Form form={form} layout="vertical" preserve={false} initialValues={{ recipient: 'student', name: cert.studentName, idChecked: false, signed: false }}>
        <Form.Item name="recipient" label="领取人">
          <Radio.Group options={[{ value: 'student', label: '学生本人' }, { value: 'authorised_person', label: '受托人（凭委托书）' }]} />
        </Form.Item>
        <Form.Item name="name" label="领取人姓名" rules={[{ required: true, whitespace: true, message: '请填写领取人姓名' }]}>
          <Input data-testid="handover-name" />
        </Form.Item>
        <Form.Item name="idCard" label="领取人身份证号" rules={[{ required: true, whitespace: true, message: '请填写领取人身份证号' }]}>
          <Input data-testid="handover-idcard" maxLength={18} />
        </Form.Item>
        <IdCardCheck certificateId={cert.id} idCard={typedIdCard} />
        {recipient === 'authorised_person' && (
          <Form.Item name="authorisationNote" label="委托说明" rules={[{ required: true, message: '受托领取须说明委托书情况' }]}>
            <Input placeholder="例如：持学生签字的委托书及双方身份证复印件" />
          </Form.Item>
        )}
        {/* Never pre-ticked: the clerk ticks each box after doing the check (seed 000: 凭身份证原件、签字领取). */}
        <Form.Item name="idChecked" valuePropName="checked" rules={[mustTick('请先核验领取人的身份证原件，再勾选')]}>
          <Checkbox data-testid="handover-id-checked">已核验领取人身份证件</Checkbox>
        </Form.Item>
        <Form.Item name="signed" valuePropName="checked" rules={[mustTick('请领取人在领取登记表上签字，再勾选')]}>
          <Checkbox data-testid="handover-signed">领取人已签字</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
