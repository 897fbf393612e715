import { describe, expect, it } from 'vitest';
import { matchLines, matchPhotos, parsePhotoName, type PhotoInput } from './match.js';
import { hammingDistance, pictureHashes, ssim, toStandardFrame } from './imaging.js';
import type { Student } from './roster.js';
import { PHASH_NEAR_DUPLICATE, SSIM_SAME_SHOT } from './thresholds.js';
import { badCheck, idCard, picture, reencode } from './testkit.test-util.js';

const ID = [idCard('19900101', 11), idCard('19910202', 22), idCard('19920303', 33), idCard('19930404', 44), idCard('19940505', 55), idCard('19950606', 66), idCard('19960707', 77)];
const students: Student[] = ID.map((id, i) => ({ row: i + 2, xuehao: `183700140000${i + 1}`, idCard: id, name: ['张三', '李四', '王五', '赵六', '钱七', '孙八', '周九'][i] }));
const roster = { students };

describe('parsePhotoName', () => {
  it('reads 学号, 身份证号 (lower-case x), copies and embedded identifiers', () => {
    const x = '11010519491231002X';
    expect(parsePhotoName('1837001400001.jpg')).toMatchObject({ id: '1837001400001', kind: 'xuehao', copySuffix: null, embedded: false });
    expect(parsePhotoName(`${x.toLowerCase()}.JPG`)).toMatchObject({ id: x, kind: 'idcard' });
    expect(parsePhotoName('1837001400001(1).jpg')).toMatchObject({ id: '1837001400001', copySuffix: '(1)' });
    expect(parsePhotoName('1837001400001 （2）.jpg')).toMatchObject({ id: '1837001400001', copySuffix: '（2）' });
    expect(parsePhotoName('1837001400001 - 副本.jpg')).toMatchObject({ id: '1837001400001', copySuffix: '- 副本' });
    expect(parsePhotoName('张三_1837001400001.jpg')).toMatchObject({ id: '1837001400001', embedded: true });
    expect(parsePhotoName('张三.jpg')).toMatchObject({ id: null, kind: null });
    expect(parsePhotoName(`${badCheck(x)}.jpg`)).toMatchObject({ id: null, problem: { code: 'IDCARD_CHECK_CHAR' } });
  });
});

describe('perceptual hash and SSIM on generated pictures', () => {
  it('a re-encoded, resized copy is within the near-duplicate threshold; different pictures are far', async () => {
    const a = await picture(1);
    const a2 = await reencode(a, 300, 45);
    const b = await picture(2);
    const [ha, ha2, hb] = await Promise.all([pictureHashes(a), pictureHashes(a2), pictureHashes(b)]);
    expect(hammingDistance(ha.phash, ha2.phash)).toBeLessThanOrEqual(PHASH_NEAR_DUPLICATE);
    expect(hammingDistance(ha.phash, hb.phash)).toBeGreaterThan(PHASH_NEAR_DUPLICATE * 3);
    expect(hammingDistance(ha.phash, ha.phash)).toBe(0);
    const [fa, fa2, fb] = await Promise.all([toStandardFrame(a), toStandardFrame(a2), toStandardFrame(b)]);
    expect(ssim(fa, fa)).toBeCloseTo(1, 6);
    expect(ssim(fa, fa2)).toBeGreaterThan(SSIM_SAME_SHOT.pass);
    expect(ssim(fa, fb)).toBeLessThan(SSIM_SAME_SHOT.fail);
  });
});

describe('matchPhotos', () => {
  it('reports every category: matched, missing, extra, copies, same file, near-identical, unreadable', async () => {
    const p = await Promise.all([1, 2, 3, 4, 5].map((s) => picture(s * 7)));
    const same = p[2];
    const near = await reencode(p[3], 320, 50);
    const photos: PhotoInput[] = [
      { name: 'in/1837001400001.jpg', fileName: '1837001400001.jpg', bytes: p[0] }, // 张三 by 学号
      { name: `in/${ID[1].toLowerCase()}.jpg`, fileName: `${ID[1].toLowerCase()}.jpg`, bytes: p[1] }, // 李四 by 身份证号 (x)
      { name: 'in/1837001400003.jpg', fileName: '1837001400003.jpg', bytes: same }, // 王五
      { name: 'in/1837001400004.jpg', fileName: '1837001400004.jpg', bytes: same }, // 赵六: same file as 王五
      { name: 'in/1837001400005.jpg', fileName: '1837001400005.jpg', bytes: p[3] }, // 钱七
      { name: 'in/1837001400006.jpg', fileName: '1837001400006.jpg', bytes: near }, // 孙八: re-encode of 钱七's
      { name: 'in/1837001400001(1).jpg', fileName: '1837001400001(1).jpg', bytes: p[4] }, // 张三 again, a "(1)" copy
      { name: 'in/1837009999999.jpg', fileName: '1837009999999.jpg', bytes: p[4] }, // not in roster
      { name: 'in/张三.jpg', fileName: '张三.jpg', bytes: p[4] }, // not an identifier
      { name: 'in/broken.jpg', fileName: '1837001400007.jpg', bytes: Buffer.from('not a picture') }, // 周九: unreadable
      { name: 'in/gone.jpg', fileName: 'gone.jpg', read: async () => Promise.reject(Object.assign(new Error('文件不存在'), { code: 'NOT_FOUND' })) },
    ];
    const progress: number[] = [];
    const r = await matchPhotos(roster, photos, { face: false, onProgress: (d) => progress.push(d) });
    expect(progress).toHaveLength(photos.length);
    expect(r.face.status).toBe('off');
    expect(r.matched.map((m) => [m.student.name, m.by])).toEqual([
      ['张三', 'xuehao'],
      ['李四', 'idcard'],
      ['王五', 'xuehao'],
      ['赵六', 'xuehao'],
      ['钱七', 'xuehao'],
      ['孙八', 'xuehao'],
      ['张三', 'xuehao'],
    ]);
    expect(r.missing.map((s) => s.name)).toEqual(['周九']);
    expect(r.unmatched.map((u) => [u.photo.fileName, u.code])).toEqual([
      ['1837009999999.jpg', 'NOT_IN_ROSTER'],
      ['张三.jpg', 'NAME_NOT_ID'],
    ]);
    expect(r.unreadable.map((u) => u.code)).toEqual(['DECODE_FAILED', 'NOT_FOUND']);
    expect(r.multiple).toHaveLength(1);
    expect(r.multiple[0].student.name).toBe('张三');
    expect(r.matched[6].notes.map((n) => n.code)).toEqual(['COPY_NAME']);
    expect(r.sameFile).toHaveLength(1);
    expect(r.sameFile[0].entries.map((e) => e.student.name)).toEqual(['王五', '赵六']);
    expect(r.nearDuplicates).toHaveLength(1);
    expect([r.nearDuplicates[0].a.student.name, r.nearDuplicates[0].b.student.name]).toEqual(['钱七', '孙八']);
    expect(r.nearDuplicates[0].distance).toBeLessThanOrEqual(PHASH_NEAR_DUPLICATE);

    const lines = matchLines(roster, r);
    const status = Object.fromEntries(lines.students.map((l) => [l.student.name, l.status]));
    expect(status).toEqual({ 张三: 'review', 李四: 'pass', 王五: 'fail', 赵六: 'fail', 钱七: 'fail', 孙八: 'fail', 周九: 'fail' });
    const zhao = lines.students.find((l) => l.student.name === '赵六');
    expect(zhao?.checks.find((c) => c.id === 'photo.same-file')?.message).toContain('王五（1837001400003）');
    expect(lines.students.find((l) => l.student.name === '周九')?.checks[0]).toMatchObject({ code: 'PHOTO_MISSING', status: 'fail' });
    expect(lines.orphans.map((o) => o.checks[0].code)).toEqual(['NOT_IN_ROSTER', 'NAME_NOT_ID', 'DECODE_FAILED', 'NOT_FOUND']);
  });

  it('says when faces could not be compared instead of passing silently', async () => {
    const r = await matchPhotos(roster, [{ name: 'a.jpg', fileName: '1837001400001.jpg', bytes: await picture(3) }], {
      faceMatcher: {
        embed: async () => {
          throw Object.assign(new Error('人脸分析模块尚未加载'), { code: 'FACE_UNAVAILABLE' });
        },
        similarity: async () => 0,
      },
    });
    expect(r.face.status).toBe('unavailable');
    const line = matchLines(roster, r).students[0];
    expect(line.status).toBe('review');
    expect(line.checks.find((c) => c.code === 'FACE_UNAVAILABLE')?.message).toContain('请人工核对');
  });
});
