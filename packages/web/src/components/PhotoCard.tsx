/**
 * A student's photo with the guide overlay, the reference (学信网) photo side by side where one exists,
 * the check results, and re-upload when the photo is not locked.
 */
import { LockOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Row, Space, Switch, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { uploadWithProgress } from '../api/client';
import { useShowError } from '../api/notify';
import type { Photo, Student } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { SOURCE_LABEL } from '../labels';
import { CheckTable } from './CheckTable';
import { PhotoStatusTag, fmtTime } from './common';
import { PhotoOverlay } from './PhotoOverlay';

export function photoUrl(p: Photo): string {
  return `/api/photos/${p.id}/file?v=${p.sha256?.slice(0, 8) ?? ''}`;
}

export function PhotoCard({ student, onChanged, compact = false }: { student: Student; onChanged: () => void; compact?: boolean }) {
  const user = useUser();
  const { message } = App.useApp();
  const showError = useShowError();
  const [overlay, setOverlay] = useState(true);
  const [percent, setPercent] = useState<number | null>(null);
  const p = student.photo;
  const canUpload = ['centre_staff', 'collector', 'admin', 'student'].includes(user.role);
  const source = user.role === 'student' ? 'student' : user.role === 'collector' ? 'collection' : 'centre';
  const width = compact ? 220 : 270;
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
      <Row gutter={[16, 16]} wrap={compact}>
        <Col flex={compact ? '1 1 100%' : `0 0 ${width + (student.hasReference ? width + 16 : 0) + 8}px`}>
          <Space align="start" wrap>
            <Space orientation="vertical" align="center">
              {p ? <PhotoOverlay src={photoUrl(p)} checks={p.checks} face={p.face} limits={p.limits} width={width} overlay={overlay} alt={`${student.name}的照片`} /> : <div style={{ width, height: (width * 4) / 3, background: '#fafafa', border: '1px dashed #ccc', display: 'flex', alignItems: 'center', justifyContent: 'center', color: '#999' }}>尚无照片</div>}
              <Typography.Text type="secondary">本系统照片</Typography.Text>
            </Space>
            {student.hasReference && (
              <Space orientation="vertical" align="center">
                <PhotoOverlay src={`/api/students/${student.id}/reference-photo`} width={width} overlay={false} alt="学信网照片" />
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
              {user.role === 'student' && <Typography.Text type="secondary">建议使用图像采集中心拍摄的照片；自拍或美颜照片通常不能通过。</Typography.Text>}
            </Space>
          )}
          {student.photoLocked && <Typography.Text type="secondary">申请审核中，照片已锁定，不能更换；被退回后可更换。</Typography.Text>}
        </Col>
        {p && (
          <Col flex="1 1 360px" style={{ minWidth: 0 }}>
            <CheckTable checks={p.checks} onlyProblems={compact} />
          </Col>
        )}
      </Row>
    </Card>
  );
}
