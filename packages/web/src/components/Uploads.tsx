/**
 * Drag-and-drop uploads with a progress bar (拖拽上传): photos (one .jpg named by 学号/身份证号, or a .zip
 * of them) and rosters (.xlsx/.csv). Results are shown per file with the server's Chinese messages.
 */
import { InboxOutlined } from '@ant-design/icons';
import { Alert, Progress, Select, Space, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { uploadWithProgress } from '../api/client';
import { useOrgs } from '../api/hooks';
import { useShowError } from '../api/notify';
import type { PhotoImportResult, RosterImportResult } from '../api/types';
import { useUser } from '../auth/AuthContext';
import { SOURCE_LABEL } from '../labels';
import { StudentName } from './common';

/** The centre the upload is for: the user's own node if it is a centre, else a choice among centres. */
export function useCentreChoice() {
  const user = useUser();
  const { data } = useOrgs();
  const centres = (data?.items ?? []).filter((o) => o.kind === 'centre');
  const own = centres.find((c) => c.id === user.orgId);
  return { centres, defaultId: own?.id ?? centres[0]?.id ?? user.orgId };
}

function CentreSelect({ value, onChange }: { value: number | undefined; onChange: (v: number) => void }) {
  const { centres } = useCentreChoice();
  return (
    <Select
      style={{ minWidth: 220 }}
      value={value}
      onChange={onChange}
      placeholder="选择学习中心"
      options={centres.map((c) => ({ value: c.id, label: c.name }))}
      data-testid="centre-select"
    />
  );
}

type PhotoSource = 'collection' | 'centre' | 'student';

export function PhotoUpload({ onDone }: { onDone?: () => void }) {
  const user = useUser();
  const { defaultId } = useCentreChoice();
  const [orgId, setOrgId] = useState<number | undefined>(undefined);
  const [source, setSource] = useState<PhotoSource>('collection');
  const [percent, setPercent] = useState<number | null>(null);
  const [result, setResult] = useState<PhotoImportResult | null>(null);
  const showError = useShowError();
  const centre = orgId ?? defaultId;

  async function uploadOne(file: File) {
    setResult(null);
    setPercent(0);
    try {
      // one .jpg named by 学号/身份证号, or a .zip of them: the server matches each file to a student
      const form = new FormData();
      form.append('orgId', String(centre));
      form.append('source', source);
      form.append('file', file, file.name);
      const r = await uploadWithProgress<PhotoImportResult>('/photos/import', form, setPercent);
      setResult(r);
      onDone?.();
    } catch (e) {
      setPercent(null);
      showError(e, '上传未成功');
    }
  }

  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        {user.role !== 'collector' && (
          <>
            <span>学习中心：</span>
            <CentreSelect value={centre} onChange={setOrgId} />
          </>
        )}
        <span>照片来源：</span>
        <Select<PhotoSource>
          value={source}
          onChange={setSource}
          style={{ width: 160 }}
          options={(['collection', 'centre', 'student'] as const).map((s) => ({ value: s, label: SOURCE_LABEL[s] }))}
        />
      </Space>
      {source === 'student' && <Alert type="warning" showIcon title="学生自传照片常带水印或不是学信网同版照片，建议使用图像采集中心的照片。" />}
      <Upload.Dragger
        accept=".zip,.jpg,.jpeg,.JPG"
        multiple={false}
        showUploadList={false}
        beforeUpload={(file) => {
          void uploadOne(file);
          return false;
        }}
        data-testid="photo-dragger"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">把照片拖到这里，或点击选择文件</p>
        <p className="ant-upload-hint">一张照片（以学号或身份证号命名的 .jpg），或多张照片的 .zip 压缩包</p>
      </Upload.Dragger>
      {percent !== null && <Progress percent={percent} status={percent < 100 ? 'active' : 'success'} data-testid="upload-progress" />}
      {result && <PhotoImportReport result={result} />}
    </Space>
  );
}

export function PhotoImportReport({ result }: { result: PhotoImportResult }) {
  const problems = [
    ...result.unmatched.map((u) => ({ key: `u-${u.file}`, file: u.file, kind: '未匹配', code: u.code, message: u.message })),
    ...result.duplicates.map((u) => ({ key: `d-${u.file}`, file: u.file, kind: '重复', code: u.code ?? 'DUPLICATE', message: u.message ?? '重复的照片' })),
    ...(result.identical ?? []).map((u) => ({ key: `i-${u.file}`, file: u.file, kind: '相同', code: 'PHOTO_IDENTICAL', message: u.message })),
    ...result.locked.map((u) => ({ key: `l-${u.file}`, file: u.file, kind: '已锁定', code: u.code ?? 'PHOTO_LOCKED', message: u.message ?? '照片已锁定，审核中不能替换' })),
  ];
  return (
    <div data-testid="photo-import-result">
      <Space wrap style={{ marginBottom: 8 }}>
        <Tag color="green">已匹配 {result.matched.length}</Tag>
        <Tag color="orange">未匹配 {result.unmatched.length}</Tag>
        <Tag color="purple">重复 {result.duplicates.length}</Tag>
        {!!result.identical?.length && <Tag color="purple">与当前照片相同 {result.identical.length}</Tag>}
        <Tag color="red">已锁定 {result.locked.length}</Tag>
        <Tag>缺照片的学生 {result.missing.length}</Tag>
      </Space>
      <Tabs
        size="small"
        items={[
          {
            key: 'problems',
            label: `问题文件（${problems.length}）`,
            children: (
              <Table
                size="small"
                pagination={{ pageSize: 10 }}
                dataSource={problems}
                tableLayout="fixed"
                columns={[
                  { title: '文件', dataIndex: 'file', width: '34%', render: (f: string) => <span style={{ wordBreak: 'break-all' }}>{f}</span> },
                  { title: '类别', dataIndex: 'kind', width: 76 },
                  { title: '说明', dataIndex: 'message', render: (m: string, r) => <span title={`代码：${r.code}`}>{m}</span> },
                ]}
              />
            ),
          },
          {
            key: 'missing',
            label: `缺照片（${result.missing.length}）`,
            children: <Table size="small" rowKey="studentId" pagination={{ pageSize: 10 }} dataSource={result.missing} columns={[{ title: '学号', dataIndex: 'xuehao' }, { title: '姓名', dataIndex: 'name' }]} />,
          },
          {
            key: 'matched',
            label: `已匹配（${result.matched.length}）`,
            children: (
              <Table
                size="small"
                rowKey="file"
                pagination={{ pageSize: 10 }}
                dataSource={result.matched}
                columns={[
                  { title: '文件', dataIndex: 'file', render: (f: string) => <span style={{ wordBreak: 'break-all' }}>{f}</span> },
                  { title: '学生', dataIndex: 'studentId', render: (id: number) => <StudentName id={id} /> },
                ]}
              />
            ),
          },
        ]}
      />
    </div>
  );
}

export function RosterUpload({ onDone }: { onDone?: () => void }) {
  const { defaultId } = useCentreChoice();
  const [orgId, setOrgId] = useState<number | undefined>(undefined);
  const [percent, setPercent] = useState<number | null>(null);
  const [result, setResult] = useState<RosterImportResult | null>(null);
  const showError = useShowError();
  const centre = orgId ?? defaultId;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <span>导入到学习中心：</span>
        <CentreSelect value={centre} onChange={setOrgId} />
      </Space>
      <Upload.Dragger
        accept=".xlsx,.csv"
        multiple={false}
        showUploadList={false}
        beforeUpload={(file) => {
          setResult(null);
          setPercent(0);
          const form = new FormData();
          form.append('orgId', String(centre));
          form.append('file', file, file.name);
          uploadWithProgress<RosterImportResult>('/students/import', form, setPercent)
            .then((r) => {
              setResult(r);
              onDone?.();
            })
            .catch((e: unknown) => {
              setPercent(null);
              showError(e, '名册导入未成功');
            });
          return false;
        }}
        data-testid="roster-dragger"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">把学生名册拖到这里（.xlsx 或 .csv）</p>
        <p className="ant-upload-hint">列：学号、身份证号、姓名、专业、层次、入学学期</p>
      </Upload.Dragger>
      {percent !== null && <Progress percent={percent} status={percent < 100 ? 'active' : 'success'} />}
      {result && (
        <div data-testid="roster-import-result">
          <Space wrap style={{ marginBottom: 8 }}>
            <Tag color="green">新增 {result.created}</Tag>
            <Tag color="blue">更新 {result.updated}</Tag>
            <Tag color={result.failed ? 'red' : 'default'}>失败 {result.failed}</Tag>
          </Space>
          {result.failed > 0 && (
            <Table
              size="small"
              rowKey={(r) => String(r.row)}
              pagination={{ pageSize: 10 }}
              dataSource={result.rows.filter((r) => !r.ok)}
              tableLayout="fixed"
              columns={[
                { title: '行', dataIndex: 'row', width: 56 },
                { title: '学号', dataIndex: 'xuehao', width: 130, render: (x: string | undefined) => <span style={{ wordBreak: 'break-all' }}>{x ?? '—'}</span> },
                { title: '说明', dataIndex: 'message', render: (m: string, r) => <span title={r.code ? `代码：${r.code}` : undefined}>{m}</span> },
              ]}
            />
          )}
          {result.failed === 0 && <Typography.Text type="success">全部导入成功</Typography.Text>}
        </div>
      )}
    </Space>
  );
}
