/**
 * Photos (照片检测): drag-and-drop upload (one photo or a zip) with progress, and a review grid of
 * thumbnails with pass/fail/review badges, filters by status and failed rule, the overlay on hover, and
 * on click the photo side by side with the reference photo and its check results.
 */
import { Badge, Card, Col, Empty, Modal, Pagination, Row, Select, Space, Spin, Tag, Typography } from 'antd';
import { RULE_IDS } from '@gradpass/photo/rules';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useApi, useServerEvents } from '../api/hooks';
import type { Page, Student } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { ruleName } from '../components/CheckTable';
import { ExportButton, PhotoStatusTag } from '../components/common';
import { PhotoCard, photoUrl } from '../components/PhotoCard';
import { PhotoOverlay } from '../components/PhotoOverlay';
import { PhotoUpload } from '../components/Uploads';
import { PHOTO_STATUS_LABEL } from '../labels';
import { can } from '../permissions';

/** Any photo present (needs server support for photoStatus=any; else all students, filtered here). */
const PHOTO_ANY: string | undefined = undefined;

const BADGE: Record<string, 'success' | 'error' | 'warning' | 'processing' | 'default'> = { pass: 'success', fail: 'error', review: 'warning', pending: 'processing', checking: 'processing', error: 'error' };

export function PhotosPage() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const failedRule = params.get('rule') ?? undefined;
  const [page, setPage] = useState({ current: 1, pageSize: 24 });
  const [open, setOpen] = useState<number | null>(null);
  const list = useApi<Page<Student>>('/students', { query: { photoStatus: status ?? PHOTO_ANY, failedRule, page: page.current, pageSize: page.pageSize } });
  useServerEvents(['photo'], list.reload);
  const set = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next);
    setPage((p) => ({ ...p, current: 1 }));
  };
  const students = (list.data?.items ?? []).filter((s) => s.photo);
  const canUpload = can(user.role, 'import_photos');
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="photos-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        照片检测
      </Typography.Title>
      {canUpload && (
        <Card size="small" title="上传照片">
          <PhotoUpload onDone={list.reload} />
        </Card>
      )}
      <Card
        size="small"
        title="照片审查"
        extra={
          <Space wrap>
            {<ExportButton path="/photos/export.zip" query={{ naming: 'xuehao' }} name="合格照片.zip" label="导出合格照片" />}
            <Select allowClear placeholder="全部结果" style={{ width: 140 }} value={status} onChange={(v) => set('status', v)} options={(['pass', 'fail', 'review', 'pending', 'error'] as const).map((s) => ({ value: s, label: PHOTO_STATUS_LABEL[s] }))} data-testid="photo-status-filter" />
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="按未通过的规则筛选" style={{ width: 220 }} value={failedRule} onChange={(v) => set('rule', v)} options={RULE_IDS.map((r) => ({ value: r, label: ruleName(r) }))} data-testid="photo-rule-filter" />
          </Space>
        }
      >
        <Spin spinning={list.loading}>
          {students.length === 0 ? (
            <Empty description="没有符合条件的照片" />
          ) : (
            <Row gutter={[12, 12]} data-testid="photo-grid">
              {students.map((s) => (
                <Col key={s.id} xs={12} sm={8} md={6} lg={4} xxl={3}>
                  <Thumb student={s} onOpen={() => setOpen(s.id)} />
                </Col>
              ))}
            </Row>
          )}
        </Spin>
        <div style={{ marginTop: 12, textAlign: 'right' }}>
          <Pagination size="small" current={page.current} pageSize={page.pageSize} total={list.data?.total ?? 0} showTotal={(t) => (failedRule ? `“${ruleName(failedRule)}”未通过：${t} 人` : `共 ${t} 人`)} onChange={(current, pageSize) => setPage({ current, pageSize })} />
        </div>
      </Card>
      <Modal open={open !== null} onCancel={() => setOpen(null)} footer={null} width={1000} destroyOnHidden title="照片详情">
        {open !== null && <PhotoDetail id={open} onChanged={list.reload} />}
      </Modal>
    </Space>
  );
}

function Thumb({ student: s, onOpen }: { student: Student; onOpen: () => void }) {
  const [hover, setHover] = useState(false);
  const p = s.photo!;
  const problems = (p.checks ?? []).filter((c) => c.status === 'fail' || c.status === 'review');
  return (
    <Badge.Ribbon text={PHOTO_STATUS_LABEL[p.status]} color={BADGE[p.status] === 'success' ? 'green' : BADGE[p.status] === 'error' ? 'red' : BADGE[p.status] === 'warning' ? 'orange' : 'blue'}>
      <Card
        size="small"
        hoverable
        onClick={onOpen}
        onMouseEnter={() => setHover(true)}
        onMouseLeave={() => setHover(false)}
        styles={{ body: { padding: 6 } }}
        data-testid="photo-thumb"
        data-status={p.status}
        data-xuehao={s.xuehao}
      >
        <PhotoOverlay src={photoUrl(p)} checks={p.checks} face={p.face} limits={p.limits} width={160} overlay={hover} alt={s.name} />
        <div style={{ marginTop: 4, fontSize: 12, lineHeight: 1.4 }}>
          <div>
            <b>{s.name}</b> <span style={{ color: '#888' }}>{s.xuehao}</span>
          </div>
          <div style={{ minHeight: 20 }}>
            {problems.slice(0, 2).map((c) => (
              <Tag key={c.id} color={c.status === 'fail' ? 'red' : 'orange'} style={{ fontSize: 11, marginInlineEnd: 2 }}>
                {ruleName(c.id)}
              </Tag>
            ))}
            {problems.length > 2 && <Tag style={{ fontSize: 11 }}>+{problems.length - 2}</Tag>}
          </div>
        </div>
      </Card>
    </Badge.Ribbon>
  );
}

function PhotoDetail({ id, onChanged }: { id: number; onChanged: () => void }) {
  const s = useApi<Student>(`/students/${id}`);
  if (!s.data) return <Spin />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space>
        <Link to={`/students/${id}`}>
          {s.data.name}（{s.data.xuehao}）
        </Link>
        <span>{s.data.orgName}</span>
        <PhotoStatusTag status={s.data.photo?.status} />
      </Space>
      <PhotoCard
        student={s.data}
        onChanged={() => {
          s.reload();
          onChanged();
        }}
      />
    </Space>
  );
}
