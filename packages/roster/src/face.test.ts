/**
 * Tests with the real face model (loaded once for the file): the same face under two students, and the
 * comparison with reference photos. Portraits are read from the shared fixtures, never copied.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFaceMatcher, type FaceMatcher } from './face.js';
import { matchLines, matchPhotos } from './match.js';
import { compareWithReference } from './reference.js';
import type { Student } from './roster.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

const LONDON = process.env.GRADPASS_FIXTURES ? path.join(process.env.GRADPASS_FIXTURES, 'london') : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/portraits/london');
const have = existsSync(LONDON);

/** A London portrait cut to the graduation frame (centre 3:4, 480×640). */
async function frame(file: string, width = 480, quality = 90): Promise<Buffer> {
  const meta = await sharp(file).metadata();
  const w = Math.round((meta.height! * 3) / 4);
  return sharp(file)
    .extract({ left: Math.round((meta.width! - w) / 2), top: 0, width: w, height: meta.height! })
    .resize(width, Math.round((width * 4) / 3))
    .jpeg({ quality })
    .toBuffer();
}

const students: Student[] = ['张三', '李四', '王五', '赵六'].map((name, i) => ({ row: i + 2, xuehao: `183700140000${i + 1}`, idCard: null, name }));
const roster = { students };

describe.skipIf(!have)('with the face model', () => {
  let matcher: FaceMatcher;
  const img: Record<string, Buffer> = {};
  beforeAll(async () => {
    matcher = await loadFaceMatcher();
    img.a = await frame(path.join(LONDON, 'neutral/004_03.jpg'));
    img.aSmall = await sharp(img.a).resize(360).jpeg({ quality: 70 }).toBuffer();
    img.aSmiling = await frame(path.join(LONDON, 'smiling/004_08.jpg'));
    img.b = await frame(path.join(LONDON, 'neutral/005_03.jpg'));
    img.c = await frame(path.join(LONDON, 'neutral/007_03.jpg'));
    img.cRef = await sharp(await readFile(path.join(LONDON, 'neutral/007_03.jpg'))).resize(1000).jpeg({ quality: 80 }).toBuffer();
  });

  it('finds the same face under two different students, and not for different people', async () => {
    const r = await matchPhotos(
      roster,
      [
        { name: '1837001400001.jpg', fileName: '1837001400001.jpg', bytes: img.a },
        { name: '1837001400002.jpg', fileName: '1837001400002.jpg', bytes: img.aSmall }, // same portrait, resized
        { name: '1837001400003.jpg', fileName: '1837001400003.jpg', bytes: img.b },
        { name: '1837001400004.jpg', fileName: '1837001400004.jpg', bytes: img.c },
      ],
      { faceMatcher: matcher },
    );
    expect(r.face.status).toBe('done');
    expect(r.face.failures).toEqual([]);
    expect(r.sameFace).toHaveLength(1);
    const pair = r.sameFace[0];
    expect([pair.a.student.name, pair.b.student.name]).toEqual(['张三', '李四']);
    expect(pair.status).toBe('fail');
    expect(pair.similarity).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.face.match);
    const lines = matchLines(roster, r).students;
    expect(lines.map((l) => l.status)).toEqual(['fail', 'fail', 'pass', 'pass']);
    expect(lines[1].checks.find((c) => c.id === 'photo.same-face')?.message).toContain('是同一人');
  });

  it('compares with reference photos: same shot passes, another shot or another person does not', async () => {
    const results = await compareWithReference(
      roster,
      [
        { name: 'p/1837001400001.jpg', fileName: '1837001400001.jpg', bytes: img.a },
        { name: 'p/1837001400002.jpg', fileName: '1837001400002.jpg', bytes: img.a },
        { name: 'p/1837001400003.jpg', fileName: '1837001400003.jpg', bytes: img.b },
        { name: 'p/1837001400004.jpg', fileName: '1837001400004.jpg', bytes: img.c },
      ],
      [
        { name: 'r/1837001400001.jpg', fileName: '1837001400001.jpg', bytes: img.aSmall }, // same shot, re-encoded
        { name: 'r/1837001400002.jpg', fileName: '1837001400002.jpg', bytes: img.aSmiling }, // same person, other shot
        { name: 'r/1837001400003.jpg', fileName: '1837001400003.jpg', bytes: img.c }, // another person
        { name: 'r/1837001400004.jpg', fileName: '1837001400004.jpg', bytes: img.cRef }, // same shot, square original framing
      ],
      { faceMatcher: matcher },
    );
    const summary = results.map((r) => [r.student.name, r.face.status, r.sameShot.status]);
    expect(summary[0]).toEqual(['张三', 'pass', 'pass']);
    expect(summary[1][1]).toBe('pass');
    expect(summary[1][2]).not.toBe('pass');
    expect(summary[2]).toEqual(['王五', 'fail', 'fail']);
    expect(summary[3][1]).toBe('pass');
    expect(summary[3][2]).not.toBe('fail');
    expect(typeof results[0].sameShot.value).toBe('number');
    expect(results[2].face.code).toBe('FACE_MISMATCH');
  });
});
