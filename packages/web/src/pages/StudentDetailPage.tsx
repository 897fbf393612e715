/** One student (学生详情): identity, photo with overlay and checks, application with timeline, certificate. */
import { Alert, App, Button, Card, Col, Descriptions, Empty, Form, Input, Radio, Result, Row, Select, Space, Spin, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, uploadWithProgress } from '../api/client';
import { useApi, useBatches, useServerEvents } from '../api/hooks';
import { errorText, useShowError } from '../api/notify';
import type { Application, AuditEntry, Certificate, Identity, Page, Student } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { ApplicationActions } from '../components/ApplicationActions';
import { pickCurrentBatch } from '../components/BatchSelect';
import { CertificateCard } from '../components/CertificateCard';
import { DaysLeftTag, FlagTags, StateTag, fmtDate, fmtTime } from '../components/common';
import { IdCardField } from '../components/IdCardField';
import { PhotoCard } from '../components/PhotoCard';
import { StudentCollectionCard } from '../components/StudentCollectionCard';
import { AuditTimeline } from '../components/Timeline';
import { IDENTITY_LABEL } from '../labels';
import { can } from '../permissions';

export function StudentDetailPage() {
  const { id } = useParams();
  const student = useApi<Student>(`/students/${id}`);
  useServerEvents(['photo', 'application'], student.reload);
  if (student.error) {
    const { code, message } = errorText(student.error);
    return <Result status="warning" title={<span title={`代码：${code}`}>{message}</span>} extra={<Link to="/students">返回学生列表</Link>} />;
  }
  if (!student.data) return <Spin />;
  return <StudentView student={student.data} reload={student.reload} />;
}

export function StudentView({ student: s, reload }: { student: Student; reload: () => void }) {
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="student-page">
      <Space wrap align="center">
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="student-name">
          {s.name}
        </Typography.Title>
        <Typography.Text copyable>{s.xuehao}</Typography.Text>
        <StateTag state={s.application?.state} />
        <FlagTags student={s} />
      </Space>
      {s.expired && <Alert type="error" showIcon title="学籍已超过 8 年有效期，不能办理毕业，已列入学籍清理名单" />}
      {/* The application first: it is what the clerk came for; the photo card (tall) follows. */}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <ApplicationCard student={s} onChanged={reload} />
        </Col>
        <Col xs={24} lg={10}>
            <Card size="small" title="学籍信息">
              <Descriptions size="small" column={1}>
                <Descriptions.Item label="学号">{s.xuehao}</Descriptions.Item>
                <Descriptions.Item label="身份证号">
                  <IdCardField student={s} />
                </Descriptions.Item>
                <Descriptions.Item label="学习中心">{s.orgName}</Descriptions.Item>
                <Descriptions.Item label="专业">{s.programme}</Descriptions.Item>
                <Descriptions.Item label="层次">{s.level}</Descriptions.Item>
                <Descriptions.Item label="入学学期">{s.enrolTerm}</Descriptions.Item>
                <Descriptions.Item label="学籍有效至">
                  <Space>
                    {fmtDate(s.validUntil)}
                    <DaysLeftTag date={s.validUntil} />
                  </Space>
                </Descriptions.Item>
                <Descriptions.Item label="身份复核">{IDENTITY_LABEL[s.identityStatus]}</Descriptions.Item>
              </Descriptions>
            </Card>
        </Col>
      </Row>
      <PhotoCard student={s} onChanged={reload} />
      {(s.flags.identityDoubtful || s.identityStatus !== 'none') && <IdentityCard student={s} onChanged={reload} />}
      <StudentCollectionCard student={s} />
      <StudentCertificates student={s} />
    </Space>
  );
}

function ApplicationCard({ student, onChanged }: { student: Student; onChanged: () => void }) {
  const user = useUser();
  const appId = student.application?.id;
  const app = useApi<Application & { history: AuditEntry[] }>(appId ? `/applications/${appId}` : null);
  const { data: batches } = useBatches();
  const [batchId, setBatchId] = useState<number | undefined>(undefined);
  const showError = useShowError();
  const { message } = App.useApp();
  const a = app.data;
  const canCreate = can(user.role, 'apply');
  const chosen = batchId ?? (batches ? pickCurrentBatch(batches.items)?.id : undefined);
  return (
    <Card size="small" title="毕业申请" data-testid="application-card">
      {!appId && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚未建立毕业申请" />
          {canCreate && (
            <Space wrap>
              <Select style={{ minWidth: 200 }} value={chosen} onChange={setBatchId} options={(batches?.items ?? []).map((b) => ({ value: b.id, label: b.name }))} placeholder="选择毕业批次" />
              <Button
                type="primary"
                disabled={!chosen}
                data-testid="create-application"
                onClick={async () => {
                  try {
                    await api<Application>('/applications', { body: { studentId: student.id, batchId: chosen } });
                    message.success('已建立毕业申请');
                    onChanged();
                  } catch (e) {
                    showError(e, '建立申请未成功');
                  }
                }}
              >
                建立毕业申请
              </Button>
            </Space>
          )}
        </Space>
      )}
      {a && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Descriptions size="small" column={1}>
            <Descriptions.Item label="批次">{a.batchName}</Descriptions.Item>
            <Descriptions.Item label="状态">
              <StateTag state={a.state} />
            </Descriptions.Item>
            <Descriptions.Item label="电子注册号">
              {a.registrationNumber ? (
                <Typography.Text strong copyable data-testid="registration-number">
                  {a.registrationNumber}
                </Typography.Text>
              ) : (
                '—'
              )}
            </Descriptions.Item>
            <Descriptions.Item label="学生签字">{a.signedAt ? fmtTime(a.signedAt) : '未签'}</Descriptions.Item>
            <Descriptions.Item label="同版确认">{a.samePhotoConfirmed ? '已确认' : '未确认'}</Descriptions.Item>
            <Descriptions.Item label="申请学位">{a.degreeRequested ? '是' : '否'}</Descriptions.Item>
          </Descriptions>
          {a.referenceOverride && (
            <Alert
              type="warning"
              showIcon
              data-testid="reference-override"
              title="与学信网照片比对不一致，学习中心说明理由后提交"
              description={`理由：${a.referenceOverride.reason}（${a.referenceOverride.by}，${fmtTime(a.referenceOverride.at)}）`}
            />
          )}
          {a.lastReason && <Alert type={a.state === 'returned' || a.state === 'rejected_final' ? 'error' : 'info'} showIcon title={`最近原因：${a.lastReason}`} data-testid="last-reason" />}
          {a.warnings?.map((w) => <Alert key={w.code} type="warning" showIcon title={<span title={`代码：${w.code}`}>{w.message}</span>} />)}
          <ApplicationActions
            app={a}
            onDone={() => {
              app.reload();
              onChanged();
            }}
          />
          <Typography.Title level={5}>办理记录</Typography.Title>
          <AuditTimeline entries={a.history} />
        </Space>
      )}
    </Card>
  );
}

function IdentityCard({ student, onChanged }: { student: Student; onChanged: () => void }) {
  const user = useUser();
  const identity = useApi<Identity>(`/students/${student.id}/identity`);
  const showError = useShowError();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const d = identity.data;
  return (
    <Card size="small" title="身份复核（学信网身份存疑）" data-testid="identity-card">
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space>
          状态：<Tag color={d?.status === 'approved' ? 'green' : d?.status === 'rejected' ? 'red' : d?.status === 'submitted' ? 'blue' : 'orange'}>{IDENTITY_LABEL[d?.status ?? student.identityStatus]}</Tag>
          {d?.decidedAt && <Typography.Text type="secondary">决定于 {fmtTime(d.decidedAt)}</Typography.Text>}
          {d?.reason && <span>原因：{d.reason}</span>}
        </Space>
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={d?.documents ?? []}
          locale={{ emptyText: '尚未上传证明材料' }}
          columns={[
            { title: '材料', dataIndex: 'fileName', render: (n: string, doc) => <a href={`/api/identity-documents/${doc.id}/file`} target="_blank" rel="noreferrer">{n}</a> },
            { title: '大小', dataIndex: 'bytes', render: (b: number) => `${(b / 1024).toFixed(1)} KB` },
            { title: '上传时间', dataIndex: 'uploadedAt', render: fmtTime },
          ]}
        />
        {can(user.role, 'identity_collect_documents') && (
          <Upload
            showUploadList={false}
            beforeUpload={(file) => {
              const form = new FormData();
              form.append('file', file, file.name);
              uploadWithProgress(`/students/${student.id}/identity/documents`, form, () => undefined)
                .then(() => {
                  message.success('材料已上传；材料齐全后请提交省级复核');
                  identity.reload();
                  onChanged();
                })
                .catch((e: unknown) => showError(e, '材料上传未成功'));
              return false;
            }}
          >
            <Button>上传证明材料（身份证、户籍证明等）</Button>
          </Upload>
        )}
        {can(user.role, 'identity_submit') && (d?.status === 'documents_collected' || d?.status === 'rejected') && (
          <Button
            type="primary"
            onClick={async () => {
              try {
                await api(`/students/${student.id}/identity/submit`, { body: {} });
                message.success('已提交省级开放大学复核');
                identity.reload();
                onChanged();
              } catch (e) {
                showError(e, '提交复核未成功');
              }
            }}
          >
            提交省级复核
          </Button>
        )}
        {can(user.role, 'identity_approve') && d?.status === 'submitted' && (
          <Form
            layout="inline"
            onFinish={async (v: { approve: boolean; reason?: string }) => {
              setBusy(true);
              try {
                await api(`/students/${student.id}/identity/decision`, { body: v });
                message.success(v.approve ? '身份复核通过，已清除“身份存疑”标记' : '已记录复核不通过');
                identity.reload();
                onChanged();
              } catch (e) {
                showError(e, '身份复核未成功');
              } finally {
                setBusy(false);
              }
            }}
          >
            <Form.Item name="approve" rules={[{ required: true, message: '请选择' }]}>
              <Radio.Group options={[{ value: true, label: '复核通过' }, { value: false, label: '不通过' }]} />
            </Form.Item>
            <Form.Item name="reason">
              <Input placeholder="原因（不通过时必填）" style={{ width: 240 }} />
            </Form.Item>
            <Button htmlType="submit" type="primary" loading={busy}>
              提交决定
            </Button>
          </Form>
        )}
      </Space>
    </Card>
  );
}

function StudentCertificates({ student }: { student: Student }) {
  const certs = useApi<Page<Certificate>>('/certificates', { query: { studentId: student.id } });
  const mine = (certs.data?.items ?? []).filter((c) => c.studentId === student.id);
  return (
    <Card size="small" title="毕业证书" data-testid="certificate-card">
      {mine.length ? mine.map((c) => <CertificateCard key={c.id} cert={c} onChanged={certs.reload} />) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="证书尚未到达学习中心" />}
    </Card>
  );
}
