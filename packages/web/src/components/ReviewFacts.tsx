/**
 * What a reviewer must see before a click (审核要点): the photo thumbnail, its verdict, the 同版 comparison with
 * the 学信网 photo where one is on file, and the flags that block or warn (学信网缺学历照片, 身份存疑, 学籍将到期).
 */
import { Space, Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { faceAnswer } from '../api/face-jobs';
import type { ReferenceComparison, Student } from '../api/types';
import { FlagTags, PhotoStatusTag } from './common';
import { photoUrl } from './PhotoCard';

/** The students behind a page of rows, by id (one request each, at most `pageSize` of them). */
export function useStudentsById(ids: number[]): Map<number, Student> {
  const [map, setMap] = useState<Map<number, Student>>(new Map());
  const key = [...new Set(ids)].sort((a, b) => a - b).join(',');
  useEffect(() => {
    if (!key) return;
    const ctl = new AbortController();
    const wanted = key.split(',').map(Number);
    void Promise.all(wanted.map((id) => api<Student>(`/students/${id}`, { signal: ctl.signal }).catch(() => null))).then((list) => {
      if (ctl.signal.aborted) return;
      setMap(new Map(list.filter((s): s is Student => !!s).map((s) => [s.id, s])));
    });
    return () => ctl.abort();
  }, [key]);
  return map;
}

type Comparison = ReferenceComparison;

// Comparisons run the face engine on the server: one at a time per page, remembered per photo.
const compared = new Map<string, Promise<Comparison | null>>();
let chain: Promise<unknown> = Promise.resolve();
function compareOnce(studentId: number, photoId: number): Promise<Comparison | null> {
  const k = `${studentId}:${photoId}`;
  let p = compared.get(k);
  if (!p) {
    p = chain.then(() => faceAnswer<Comparison>(`/students/${studentId}/reference-compare`).catch(() => null));
    chain = p;
    compared.set(k, p);
  }
  return p;
}

/** 同版: same person and same shot as the 学信网 photo; "无学信网照片" when none is on file. */
export function SameShotTag({ student }: { student: Student }) {
  const photoId = student.photo?.id;
  const cached = student.photo?.reference ?? undefined;
  const [fetched, setR] = useState<Comparison | null | undefined>(undefined);
  const r = cached ?? fetched;
  useEffect(() => {
    // the server caches the comparison in the photo; ask for one only when it has none yet
    if (!student.hasReference || !photoId || cached) return;
    let alive = true;
    void compareOnce(student.id, photoId).then((x) => alive && setR(x));
    return () => {
      alive = false;
    };
  }, [student.id, student.hasReference, photoId, cached]);
  if (!student.hasReference) return <Tag data-testid="same-shot" data-status="none">无学信网照片</Tag>;
  if (!photoId) return null;
  if (r === undefined) return <Tag data-testid="same-shot" data-status="pending">同版比对中</Tag>;
  if (r === null) return <Tag data-testid="same-shot" data-status="unknown">同版未能比对</Tag>;
  const bad = r.face.status === 'fail' ? '不是同一人' : r.sameShot.status === 'fail' ? '不是同版' : null;
  const color = bad ? 'red' : r.sameShot.status === 'pass' && r.face.status === 'pass' ? 'green' : 'orange';
  const label = bad ?? (color === 'green' ? '与学信网同版' : '同版需人工核对');
  return (
    <Tooltip title={`${r.face.message}；${r.sameShot.message}`}>
      <Tag color={color} data-testid="same-shot" data-status={bad ? 'fail' : color === 'green' ? 'pass' : 'review'}>
        {label}
      </Tag>
    </Tooltip>
  );
}

/** True when the machine found the photo to be the same shot as the 学信网 photo (no per-student tick needed). */
export function machineSameShot(student: Student | undefined): boolean {
  const r = student?.photo?.reference;
  return !!r && r.face.status === 'pass' && r.sameShot.status === 'pass'; // as the server's referenceMatch 'same'
}

/** The cell of a review list: thumbnail, verdict, 同版, flags. */
export function ReviewFacts({ student }: { student: Student | undefined }) {
  if (!student) return <span style={{ color: '#999' }}>…</span>;
  const p = student.photo;
  return (
    <Space size={8} align="start" data-testid="review-facts" data-student={student.id}>
      {p ? (
        <img src={photoUrl(p)} alt={`${student.name}的照片`} width={36} height={48} style={{ objectFit: 'cover', border: '1px solid #eee', borderRadius: 2 }} data-testid="review-thumb" />
      ) : (
        <div style={{ width: 36, height: 48, background: '#fafafa', border: '1px dashed #ccc', fontSize: 10, color: '#999', textAlign: 'center', lineHeight: '48px' }}>无</div>
      )}
      <Space size={[0, 4]} wrap style={{ maxWidth: 260 }}>
        <PhotoStatusTag status={p?.status ?? null} />
        <SameShotTag student={student} />
        <FlagTags student={student} />
      </Space>
    </Space>
  );
}
