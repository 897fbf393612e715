/**
 * The student's own pages (学生端), made for a phone: my application (steps, registration number, sign),
 * my photo (with the guide and what to fix), and confirming the certificate.
 */
import { Alert, App, Button, Card, Descriptions, Empty, Result, Space, Spin, Steps, Tabs, Typography } from 'antd';
import { api } from '../api/client';
import { useApi, useBatches, useServerEvents } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { Application, ApplicationState, AuditEntry, Certificate, Page, Student } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { ApplicationActions } from '../components/ApplicationActions';
import { pickCurrentBatch } from '../components/BatchSelect';
import { CertificateCard } from '../components/CertificateCard';
import { DaysLeftTag, FlagTags, StateTag, fmtDate } from '../components/common';
import { PhotoCard } from '../components/PhotoCard';
import { AuditTimeline } from '../components/Timeline';
import { MyCollection } from './MyCollection';

const STEPS: { key: ApplicationState; title: string }[] = [
  { key: 'applied', title: '申请签字' },
  { key: 'submitted', title: '学习中心提交' },
  { key: 'city_approved', title: '市级审批' },
  { key: 'province_approved', title: '省级复审' },
  { key: 'graduated', title: '国开终审' },
];

function stepIndex(s: ApplicationState): number {
  if (s === 'draft') return 0;
  if (s === 'returned') return 1;
  if (s === 'rejected_final') return 4;
  return STEPS.findIndex((x) => x.key === s) + 1;
}

export function MyPage() {
  const user = useUser();
  const me = useApi<Student>(user.studentId ? `/students/${user.studentId}` : null);
  useServerEvents(['application', 'photo'], me.reload);
  if (!user.studentId) return <Result status="warning" title="此账号未关联学生学籍，请联系学习中心" />;
  if (!me.data) return <Spin />;
  const s = me.data;
  return (
    <Space orientation="vertical" style={{ width: '100%', maxWidth: 760, margin: '0 auto', display: 'flex' }} data-testid="my-page">
      <Card size="small">
        <Space wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {s.name}
          </Typography.Title>
          <span>{s.xuehao}</span>
          <StateTag state={s.application?.state} />
          <FlagTags student={s} />
        </Space>
        <div style={{ color: '#888', marginTop: 4 }}>
          {s.orgName} · {s.programme} · {s.level} · 学籍有效至 {fmtDate(s.validUntil)} <DaysLeftTag date={s.validUntil} />
        </div>
      </Card>
      <Tabs
        items={[
          { key: 'app', label: '我的申请', children: <MyApplication student={s} onChanged={me.reload} /> },
          { key: 'photo', label: '我的照片', children: <PhotoCard student={s} onChanged={me.reload} compact /> },
          { key: 'cert', label: '我的证书', children: <MyCertificate /> },
          { key: 'collection', label: '图像采集', children: <MyCollection /> },
        ]}
      />
    </Space>
  );
}

function MyApplication({ student, onChanged }: { student: Student; onChanged: () => void }) {
  const appId = student.application?.id;
  const app = useApi<Application & { history: AuditEntry[] }>(appId ? `/applications/${appId}` : null, undefined, [student.application?.state]);
  const { data: batches } = useBatches();
  const { message } = App.useApp();
  const showError = useShowError();
  const current = batches ? pickCurrentBatch(batches.items) : undefined;
  if (!appId) {
    return (
      <Card size="small">
        <Empty description="你还没有毕业申请">
          {current && (
            <Button
              type="primary"
              onClick={async () => {
                try {
                  await api('/applications', { body: { studentId: student.id, batchId: current.id } });
                  message.success(`已建立 ${current.name} 的毕业申请`);
                  onChanged();
                } catch (e) {
                  showError(e, '申请未成功');
                }
              }}
            >
              申请 {current.name}
            </Button>
          )}
        </Empty>
      </Card>
    );
  }
  const a = app.data;
  if (!a) return <Spin />;
  return (
    <Card size="small">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Steps
          size="small"
          orientation="vertical"
          current={stepIndex(a.state)}
          status={a.state === 'returned' || a.state === 'rejected_final' ? 'error' : a.state === 'graduated' ? 'finish' : 'process'}
          items={STEPS.map((x) => ({ title: x.title }))}
        />
        <Descriptions size="small" column={1}>
          <Descriptions.Item label="批次">{a.batchName}</Descriptions.Item>
          <Descriptions.Item label="状态">
            <StateTag state={a.state} />
          </Descriptions.Item>
          {a.registrationNumber && (
            <Descriptions.Item label="电子注册号">
              <Typography.Text strong copyable data-testid="registration-number">
                {a.registrationNumber}
              </Typography.Text>
            </Descriptions.Item>
          )}
        </Descriptions>
        {a.lastReason && <Alert type="error" showIcon title={`退回原因：${a.lastReason}`} />}
        {a.state === 'graduated' && <Alert type="success" showIcon title="终审已通过，请在学信网核对学历信息；证书到达学习中心后凭身份证领取。" />}
        <ApplicationActions
          app={a}
          onDone={() => {
            app.reload();
            onChanged();
          }}
        />
        <AuditTimeline entries={a.history} />
      </Space>
    </Card>
  );
}

function MyCertificate() {
  const certs = useApi<Page<Certificate>>('/certificates');
  const items = certs.data?.items ?? [];
  if (certs.loading && !certs.data) return <Spin />;
  if (!items.length) return <Empty description="证书尚未到达学习中心" />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {items.map((c) => (
        <Card size="small" key={c.id}>
          <CertificateCard cert={c} onChanged={certs.reload} />
          {c.state === 'handed_over' && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>请在收到证书后登录学信网核对信息；一致请点“证书无误，确认”，有误请反馈问题。</Typography.Paragraph>}
        </Card>
      ))}
    </Space>
  );
}
