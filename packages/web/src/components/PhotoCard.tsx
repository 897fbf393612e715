/**
 * A student's photo with the guide overlay, the reference (学信网) photo side by side where one exists,
 * the check results, and re-upload when the photo is not locked.
 */
import { LockOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Input, Row, Space, Switch, Tag, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { api, uploadWithProgress } from '../api/client';
import { faceAnswer } from '../api/face-jobs';
import { useProfileLimits } from '../api/profile';
import { useShowError } from '../api/notify';
import type { Photo, Student } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { SOURCE_LABEL } from '../labels';
import { CheckTable } from './CheckTable';
import { PhotoStatusTag, fmtTime } from './common';
import { PhotoOverlay } from './PhotoOverlay';
import { can } from '../permissions';

export function photoUrl(p: Photo): string {
  return `/api/photos/${p.id}/file?v=${p.sha256?.slice(0, 8) ?? ''}`;
}

export function PhotoCard({ student, onChanged, compact = false }: { student: Student; onChanged: () => void; compact?: boolean }) {
  const user = useUser();
  const { message, modal } = App.useApp();
  const showError = useShowError();
  const [overlay, setOverlay] = useState(true);
  const [percent, setPercent] = useState<number | null>(null);
  const [refTick, setRefTick] = useState(0);
  const p = student.photo;
  const profileLimits = useProfileLimits();
  const limits = p?.limits ?? profileLimits;
  const [fixing, setFixing] = useState(false);
  const canFix = can(user.role, 'replace_photo') && !!p && !student.photoLocked && (p.status === 'fail' || p.status === 'review');
  const canReference = can(user.role, 'import_reference');
  const canUpload = can(user.role, 'replace_photo');
  const source = 'centre';
  const width = compact ? 220 : student.hasReference ? 230 : 270; // two photos side by side leave room for the results
  return (
    <Card
      size="small"
      title={
        <Space>
          照片 <PhotoStatusTag status={p?.status ?? null} />
          {student.photoLocked && (
            <Tag icon={<LockOutlined />} color="purple" data-testid="photo-locked">
              审核中已锁定
            </Tag>
          )}
        </Space>
      }
      extra={
        <Space>
          <span>参考线</span>
          <Switch size="small" checked={overlay} onChange={setOverlay} data-testid="overlay-switch" />
        </Space>
      }
      data-testid="photo-card"
    >
      {/* Always wraps: with a 学信网 photo beside ours the results go below rather than shrink to one character a line. */}
      <Row gutter={[16, 16]} wrap>
        <Col flex={compact ? '1 1 100%' : `0 0 ${width + (student.hasReference ? width + 16 : 0) + 8}px`}>
          <Space align="start" wrap>
            <Space orientation="vertical" align="center">
              {p ? <PhotoOverlay src={photoUrl(p)} checks={p.checks} face={p.face} limits={limits} width={width} overlay={overlay} alt={`${student.name}的照片`} /> : <div style={{ width, height: (width * 4) / 3, background: '#fafafa', border: '1px dashed #ccc', display: 'flex', alignItems: 'center', justifyContent: 'center', color: '#999' }}>尚无照片</div>}
              <Typography.Text type="secondary">本系统照片</Typography.Text>
            </Space>
            {student.hasReference && (
              <Space orientation="vertical" align="center">
                <PhotoOverlay src={`/api/students/${student.id}/reference-photo?v=${refTick}`} width={width} overlay={false} alt="学信网照片" />
                <Typography.Text type="secondary">学信网照片（核对同版）</Typography.Text>
              </Space>
            )}
          </Space>
          {p && (
            <Typography.Paragraph type="secondary" style={{ margin: '8px 0', fontSize: 12, maxWidth: width + 40 }}>
              {p.fileName} · {(p.bytes / 1024).toFixed(1)} KB · 来源：{SOURCE_LABEL[p.source]}
              <br />
              上传于 {fmtTime(p.uploadedAt)}
              {p.checkedAt && ` · 检测于 ${fmtTime(p.checkedAt)}`}
            </Typography.Paragraph>
          )}
          {p && (p.status === 'pending' || p.status === 'checking') && <Alert type="info" showIcon title="正在检测照片，请稍候" style={{ marginBottom: 8 }} />}
          {canUpload && !student.photoLocked && (
            <Space orientation="vertical" style={{ width: '100%' }}>
              <span data-testid="photo-upload">
              <Upload
                accept=".jpg,.jpeg,.JPG"
                showUploadList={false}
                beforeUpload={(file) => {
                  const form = new FormData();
                  form.append('source', source);
                  form.append('file', file, file.name);
                  setPercent(0);
                  uploadWithProgress<Photo>(`/students/${student.id}/photo`, form, setPercent)
                    .then(() => {
                      message.success('照片已上传，正在检测');
                      onChanged();
                    })
                    .catch((e: unknown) => showError(e, '照片上传未成功'))
                    .finally(() => setPercent(null));
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />} loading={percent !== null} data-testid="photo-reupload">
                  {p ? '更换照片' : '上传照片'}
                </Button>
              </Upload>
              </span>
            </Space>
          )}
          {!canUpload && !student.photoLocked && user.role === 'student' && (
            <Typography.Paragraph type="secondary" style={{ margin: 0 }} data-testid="photo-how-to-change">
              毕业照片由学习中心上传。需要更换时，请在“图像采集”中向图像采集中心下单拍摄，或联系学习中心；自拍或美颜照片通常不能通过。
            </Typography.Paragraph>
          )}
          {student.photoLocked && <Typography.Text type="secondary">申请审核中，照片已锁定，不能更换；被退回后可更换。</Typography.Text>}
          <Space wrap style={{ marginTop: 8 }}>
            {canFix && (
              <Button
                loading={fixing}
                data-testid="photo-standardize"
                onClick={async () => {
                  // 一键修正 makes a new picture: it is then no longer the version on 学信网 (同版, seed 000 三.3)
                  if (
                    student.hasReference &&
                    !(await modal.confirm({
                      title: '修正后的照片将不再是学信网上的同版照片',
                      content: '一键修正会重新裁剪并更换背景，生成新的照片。学信网已有照片的学生，提交时须与学信网照片同版，否则将影响证书办理。确定要修正吗？',
                      okText: '仍然修正',
                      cancelText: '取消',
                    }))
                  )
                    return;
                  setFixing(true);
                  try {
                    // On a separate analysis process this may take a while: the answer comes when it is done.
                    await faceAnswer<Photo>(`/students/${student.id}/photo/standardize`, { body: { align: 'face', background: 'blue' } }, (m) =>
                      message.info(m),
                    );
                    message.success('已按规格修正照片（裁剪、浅蓝背景、压缩到 20–40 KB），正在重新检测');
                    onChanged();
                  } catch (e) {
                    showError(e, '修正照片未成功');
                  } finally {
                    setFixing(false);
                  }
                }}
              >
                一键修正
              </Button>
            )}
            {canReference && (
              <Upload
                accept=".jpg,.jpeg,.JPG"
                showUploadList={false}
                beforeUpload={(file) => {
                  const form = new FormData();
                  form.append('file', file, file.name);
                  uploadWithProgress(`/students/${student.id}/reference-photo`, form, () => undefined)
                    .then(() => {
                      message.success('已导入学信网参考照片');
                      setRefTick((t) => t + 1);
                      onChanged();
                    })
                    .catch((e: unknown) => showError(e, '导入参考照片未成功'));
                  return false;
                }}
              >
                <Button data-testid="reference-upload">{student.hasReference ? '更换学信网照片' : '导入学信网照片'}</Button>
              </Upload>
            )}
          </Space>
          {student.hasReference && p && <ReferenceCompare studentId={student.id} tick={`${p.id}-${refTick}`} />}
          {p && p.status === 'review' && (
            <HumanReview photo={p} canDecide={canUpload && !student.photoLocked} onChanged={onChanged} />
          )}
        </Col>
        {p && (
          <Col flex="1 1 420px" style={{ minWidth: 0 }}>
            <CheckTable checks={p.checks} onlyProblems={compact} frame={limits ? { width: limits.width, height: limits.height } : undefined} />
          </Col>
        )}
      </Row>
    </Card>
  );
}

interface CompareRow {
  id: string;
  status: string;
  code: string;
  value: number | null;
  message: string;
}

/** Comparison with the 学信网 reference photo: same person (同一人) and same shot (同版). */
function ReferenceCompare({ studentId, tick }: { studentId: number; tick: string }) {
  type Comparison = { status: string; face: CompareRow; sameShot: CompareRow };
  const [r, setR] = useState<{ data?: Comparison; waiting?: string }>({});
  useEffect(() => {
    const ctl = new AbortController();
    setR({});
    // Answered at once, or after the comparison ran on the photo-analysis process (202 → polled).
    faceAnswer<Comparison>(`/students/${studentId}/reference-compare`, { signal: ctl.signal }, (waiting) => setR({ waiting }))
      .then((data) => setR({ data }))
      .catch(() => setR({}));
    return () => ctl.abort();
  }, [studentId, tick]);
  if (r.waiting)
    return (
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="reference-compare-waiting">
        {r.waiting}
      </Typography.Text>
    );
  if (!r.data) return null;
  const tag = (c: CompareRow, label: string) => (
    <div key={label} style={{ marginTop: 4 }}>
      <Tag color={c.status === 'pass' ? 'green' : c.status === 'fail' ? 'red' : 'orange'}>{label}</Tag>
      <Typography.Text style={{ fontSize: 12 }}>{c.message}</Typography.Text>
    </div>
  );
  return (
    <div style={{ marginTop: 8, maxWidth: 320 }} data-testid="reference-compare">
      {tag(r.data.face, '同一人')}
      {tag(r.data.sameShot, '同版')}
    </div>
  );
}

/**
 * 人工复核: the checks could not be sure (需人工复核); centre staff look at the photo and record 合格 or 不合格 with a
 * note. The check results stay as they are; a photo confirmed 合格 may be submitted.
 */
function HumanReview({ photo, canDecide, onChanged }: { photo: Photo; canDecide: boolean; onChanged: () => void }) {
  const { message } = App.useApp();
  const showError = useShowError();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const d = photo.humanReview;
  async function decide(decision: 'pass' | 'fail') {
    setBusy(true);
    try {
      await api<Photo>(`/photos/${photo.id}/review`, { body: { decision, note } });
      message.success(decision === 'pass' ? '已记录：人工复核合格' : '已记录：人工复核不合格');
      setNote('');
      onChanged();
    } catch (e) {
      showError(e, '记录复核结果未成功');
    } finally {
      setBusy(false);
    }
  }
  return (
    <div style={{ marginTop: 12, maxWidth: 360 }} data-testid="human-review">
      {d ? (
        <Alert
          type={d.decision === 'pass' ? 'success' : 'error'}
          showIcon
          title={d.decision === 'pass' ? '人工复核：合格，可以提交' : '人工复核：不合格，须更换照片'}
          description={`${d.note}（${d.by}，${fmtTime(d.at)}）`}
          data-testid="human-review-decision"
        />
      ) : (
        <Alert type="warning" showIcon title="检测结果需人工复核：请对照下方提示查看照片后，记录复核结果" />
      )}
      {canDecide && (
        <Space orientation="vertical" style={{ width: '100%', marginTop: 8 }}>
          <Input.TextArea
            rows={2}
            maxLength={500}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="复核说明（必填）：看过哪些方面，如“双耳露出，背景无阴影”"
            data-testid="human-review-note"
          />
          <Space>
            <Button type="primary" disabled={note.trim().length < 2} loading={busy} onClick={() => decide('pass')} data-testid="human-review-pass">
              复核合格
            </Button>
            <Button danger disabled={note.trim().length < 2} loading={busy} onClick={() => decide('fail')} data-testid="human-review-fail">
              复核不合格
            </Button>
          </Space>
        </Space>
      )}
    </div>
  );
}
