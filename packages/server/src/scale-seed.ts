import type { Insertable } from 'kysely';
import type { ApplicationTable, PhotoTable, StudentTable } from './db/schema.js';
import { newStudentRow, type OrgRow, type Repos } from './repositories/index.js';

/**
 * National-scale seed (全国规模测试数据) for the scale benchmark and the scale tests: the organisation tree of a
 * whole country (31 provinces, 301 cities, 3,012 learning centres under the existing national root) and any
 * number of students, each with a checked photo and its report and an application in one batch — written through
 * the same repositories the server uses, in multi-row statements inside one transaction per chunk.
 */
export interface ScaleTree {
  national: OrgRow;
  provinces: OrgRow[];
  cities: OrgRow[];
  centres: OrgRow[];
}

/**
 * A new student row ({@link newStudentRow}, as a roster import leaves it) of 会计学 本科 2022秋 — for seeds, benches
 * and tests; `more` overrides any column.
 */
export function plainStudent(
  s: { xuehao: string; id_card: string; name: string; org_id: number },
  at: string,
  more: Partial<Insertable<StudentTable>> = {},
): Insertable<StudentTable> {
  return {
    ...newStudentRow({ ...s, programme: '会计学', level: '本科', enrol_term: '2022秋', continuing: 0 }, at),
    ...more,
  };
}

/** A checked, passing photo row (合格照片) of a student, its file already in the store. */
export function passingPhoto(
  student: { id: number; xuehao: string },
  file: { storagePath: string; sha256: string; bytes: number },
  at: string,
  more: Partial<Insertable<PhotoTable>> = {},
): Insertable<PhotoTable> {
  return {
    student_id: student.id,
    source: 'centre',
    file_name: `${student.xuehao}.jpg`,
    storage_path: file.storagePath,
    bytes: file.bytes,
    sha256: file.sha256,
    status: 'pass',
    checks_json: null,
    failed_rules: null,
    uploaded_by: null,
    uploaded_at: at,
    checked_at: at,
    ...more,
  };
}

/** A draft application (毕业申请，未提交) of a student in a batch. */
export function draftApplication(studentId: number, batchId: number, at: string): Insertable<ApplicationTable> {
  return {
    student_id: studentId,
    batch_id: batchId,
    state: 'draft',
    degree_requested: 0,
    signed_at: null,
    same_version_confirmed_at: null,
    photo_id: null,
    returned_by: null,
    submission_count: 0,
    version: 0,
    registration_number: null,
    last_reason: null,
    created_at: at,
    updated_at: at,
  };
}

/**
 * Seeds students of one centre, each with a passing photo (all the same stored file), in one transaction; answers
 * the students. For tests and benches that need many rows fast.
 */
export async function seedStudentsWithPhoto(
  repos: Repos,
  opts: {
    orgId: number;
    count: number;
    /** Row i's 学号, 身份证号 and name. */
    student: (i: number) => { xuehao: string; id_card: string; name: string };
    file: { storagePath: string; sha256: string; bytes: number };
  },
) {
  const at = new Date().toISOString();
  return repos.transaction(async (tx) => {
    const students = await tx.students.insertMany(
      Array.from({ length: opts.count }, (_, i) => plainStudent({ ...opts.student(i), org_id: opts.orgId }, at)),
    );
    const photos = await tx.photos.insertMany(students.map((s) => passingPhoto(s, opts.file, at)));
    await tx.students.setPhotos(photos.map((p) => ({ studentId: p.student_id, photoId: p.id })));
    return students;
  });
}

export const SCALE_SHAPE = { provinces: 31, cities: 301, centres: 3012 } as const;

/** Adds provinces, cities and centres under the root until the tree has the national shape (idempotent). */
export async function seedScaleTree(repos: Repos, shape = SCALE_SHAPE): Promise<ScaleTree> {
  const now = new Date().toISOString();
  const all = await repos.orgs.all();
  const national = all.find((o) => o.parent_id == null);
  if (!national) throw new Error('seedScaleTree: the national root must exist (seed the demo first)');
  const of = (kind: string) => all.filter((o) => o.kind === kind);
  const add = async (name: string, kind: string, parent: OrgRow) => {
    const row = await repos.orgs.insert({ name, kind, parent_id: parent.id, path: '/', created_at: now });
    return repos.orgs.setPath(row.id, `${parent.path}${row.id}/`);
  };
  const provinces = of('province');
  for (let i = provinces.length; i < shape.provinces; i++)
    provinces.push(await add(`第${i + 1}省开放大学`, 'province', national));
  const cities = of('city');
  for (let i = cities.length; i < shape.cities; i++)
    cities.push(await add(`第${i + 1}市开放大学`, 'city', provinces[i % provinces.length]));
  const centres = of('centre');
  for (let i = centres.length; i < shape.centres; i++)
    centres.push(await add(`第${i + 1}学习中心`, 'centre', cities[i % cities.length]));
  return { national, provinces, cities, centres };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯俊晨欣怡雪梅琳婷';
const TERMS = ['2018春', '2018秋', '2019春', '2019秋', '2020春', '2020秋', '2021春', '2021秋', '2022春', '2022秋'];
/** Terms of students whose application is under review: valid for years yet (the 8-year limit is not hit). */
const REVIEW_TERMS = ['2021春', '2021秋', '2022春', '2022秋', '2023春'];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** A 身份证号 with a correct check digit (GB 11643) for the i-th seeded student. */
export function scaleIdCard(i: number): string {
  const born = new Date(Date.UTC(1975, 0, 1) + (i % 9000) * 86400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const body = `370102${born}${String(i % 1000).padStart(3, '0')}`;
  const sum = [...body].reduce((s, c, k) => s + Number(c) * ID_WEIGHTS[k], 0);
  return body + ID_CHECK[sum % 11];
}
/** The 学号 (13 digits) of the i-th seeded student. */
export const scaleXuehao = (i: number): string => `26${String(i).padStart(11, '0')}`;
/** The name of the i-th seeded student (two or three characters). */
export const scaleName = (i: number): string =>
  SURNAMES[i % SURNAMES.length] +
  GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length] +
  (i % 3 ? GIVEN[Math.floor(i / 7) % GIVEN.length] : '');

/** How a seeded student's photo and application are spread: i-th student → (photo status, application state). */
export function scaleStates(i: number): { photo: 'pass' | 'fail' | 'review'; state: string } {
  const p = i % 20;
  const photo = p < 14 ? 'pass' : p < 17 ? 'fail' : 'review';
  const a = i % 10;
  const state =
    photo !== 'pass' ? 'draft' : a < 4 ? 'submitted' : a < 6 ? 'city_approved' : a < 7 ? 'province_approved' : 'draft';
  return { photo, state };
}

const REPORT = (status: string) =>
  JSON.stringify({
    verdict: status,
    checks: [
      { id: 'format.jpeg', status: 'pass', value: 'jpeg', limit: 'jpeg', message: '文件内容为 JPEG' },
      { id: 'size.pixels', status: 'pass', value: [480, 640], limit: [480, 640], message: '像素尺寸 480×640' },
      {
        id: 'size.bytes',
        status: status === 'fail' ? 'fail' : 'pass',
        value: status === 'fail' ? 52000 : 31000,
        limit: [20480, 40960],
        message: status === 'fail' ? '文件大小 50.8 KB，超出上限 40 KB' : '文件大小 30.3 KB，在 20 KB–40 KB 之间',
      },
      {
        id: 'dpi',
        status: status === 'fail' ? 'fail' : 'pass',
        value: { jfif: status === 'fail' ? 96 : 300, exif: null },
        limit: 300,
        message: status === 'fail' ? 'JFIF 分辨率 96 dpi，应为 300 dpi' : '分辨率 300 dpi（JFIF）',
      },
      {
        id: 'background.colour',
        status: status === 'review' ? 'review' : 'pass',
        value: [200, 225, 245],
        limit: 'light-blue',
        message: status === 'review' ? '背景颜色接近浅蓝但偏灰，请人工确认' : '背景为浅蓝色',
      },
    ],
  });
const FAILED_RULES: Record<string, string | null> = {
  pass: null,
  fail: ',size.bytes,dpi,',
  review: ',background.colour,',
};

/**
 * Adds students `from`…`to - 1` (by seed index) spread over the centres, each with a photo (report included) and
 * an application in `batchId`. `firstCentres` takes the first `firstCount` students of this call (e.g. the demo city's centres,
 * so one reviewer has a thousand submitted applications to approve). Chunks of `chunk` students per transaction.
 */
export async function seedScaleStudents(
  repos: Repos,
  opts: {
    from: number;
    to: number;
    centres: OrgRow[];
    batchId: number;
    firstCentres?: OrgRow[];
    firstCount?: number;
    chunk?: number;
    onChunk?: (done: number) => void;
  },
): Promise<void> {
  const chunk = opts.chunk ?? 2000;
  const at = new Date().toISOString();
  for (let start = opts.from; start < opts.to; start += chunk) {
    const end = Math.min(opts.to, start + chunk);
    await repos.transaction(async (tx) => {
      const idx = Array.from({ length: end - start }, (_, k) => start + k);
      const centreOf = (i: number) =>
        opts.firstCentres?.length && i - opts.from < (opts.firstCount ?? 0)
          ? opts.firstCentres[i % opts.firstCentres.length]
          : opts.centres[i % opts.centres.length];
      const students = await tx.students.insertMany(
        idx.map((i) =>
          plainStudent(
            { xuehao: scaleXuehao(i), id_card: scaleIdCard(i), name: scaleName(i), org_id: centreOf(i).id },
            at,
            {
              programme: i % 2 ? '行政管理' : '会计学',
              level: i % 4 ? '本科' : '专科',
              enrol_term:
                scaleStates(i).state === 'draft' ? TERMS[i % TERMS.length] : REVIEW_TERMS[i % REVIEW_TERMS.length],
              chsi_photo_missing: i % 50 === 0 ? 1 : 0,
              identity_doubtful: i % 97 === 0 ? 1 : 0,
              continuing: i % 4 === 0 && i % 3 === 0 ? 1 : 0,
            },
          ),
        ),
      );
      const photos = await tx.photos.insertMany(
        students.map((s, k) => {
          const status = scaleStates(idx[k]).photo;
          const file = {
            storagePath: `photos/scale/${s.xuehao}.jpg`,
            sha256: `${s.xuehao}`.padEnd(64, '0'),
            bytes: status === 'fail' ? 52000 : 31000,
          };
          return passingPhoto(s, file, at, {
            source: 'upload',
            status,
            checks_json: REPORT(status),
            failed_rules: FAILED_RULES[status],
          });
        }),
      );
      const photoOf = new Map(photos.map((p) => [p.student_id, p.id]));
      await tx.students.setPhotos(students.map((s) => ({ studentId: s.id, photoId: photoOf.get(s.id) as number })));
      await tx.applications.insertMany(
        students.map((s, k) => {
          const { state } = scaleStates(idx[k]);
          return {
            student_id: s.id,
            batch_id: opts.batchId,
            state,
            degree_requested: 0,
            signed_at: state === 'draft' ? null : at,
            same_version_confirmed_at: state === 'draft' ? null : at,
            photo_id: state === 'draft' ? null : (photoOf.get(s.id) as number),
            returned_by: null,
            submission_count: state === 'draft' ? 0 : 1,
            version: state === 'draft' ? 0 : 1,
            registration_number: null,
            last_reason: null,
            created_at: at,
            updated_at: at,
          };
        }),
      );
    });
    opts.onChunk?.(end);
  }
}
