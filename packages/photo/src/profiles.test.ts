import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { listProfileIds, listProfiles, loadProfile, parseProfile, ProfileError, validateProfile } from './profiles.js';

const dir = mkdtempSync(join(tmpdir(), 'gradpass-profiles-'));

function expectInvalid(fn: () => unknown, field: string, text: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as ProfileError).code).toBe('PROFILE_INVALID');
    expect((err as ProfileError).field).toBe(field);
    expect((err as ProfileError).message).toContain(`字段 ${field} ${text}`);
    return;
  }
  throw new Error('expected a ProfileError');
}

describe('shipped profiles', () => {
  test('the three profiles of photo-standard.md §1 are shipped with their figures', () => {
    expect(listProfileIds()).toEqual(['chsi-graduation', 'liaoning-collection', 'liaoning-platform']);
    const chsi = loadProfile('chsi-graduation');
    expect(chsi).toMatchObject({ width: 480, height: 640, bytes: { min: 20480, max: 40960 }, dpi: 300, minQuality: 60, fileNaming: 'xuehao', extensions: ['.jpg', '.JPG'] });
    expect(chsi.background).toEqual({ rgb: [100, 197, 255], maxDeltaE: expect.any(Number) });
    expect(chsi.geometry).toEqual({ headTop: [50, 110], eyeLine: [200, 300], faceWidth: [180, 300], centreTolerance: 0.05 });
    expect(chsi.pose).toEqual({ maxRoll: 5, maxYaw: 5, maxPitch: 5 });
    expect(loadProfile('liaoning-platform')).toMatchObject({ fileNaming: 'idcard', bytes: { min: 20480, max: 40960 }, dpi: 300 });
    expect(loadProfile('liaoning-collection')).toMatchObject({ fileNaming: 'none', bytes: { min: 61440, max: 512000 }, dpi: null });
    expect(listProfiles().map((p) => p.id)).toEqual(listProfileIds());
  });

  test('loadProfile returns a copy: changing it does not change the next load', () => {
    const a = loadProfile('chsi-graduation');
    a.bytes = null;
    expect(loadProfile('chsi-graduation').bytes).toEqual({ min: 20480, max: 40960 });
  });

  test('an unknown id is PROFILE_NOT_FOUND and lists the shipped ids', () => {
    try {
      loadProfile('no-such-profile');
      throw new Error('expected');
    } catch (err) {
      expect((err as ProfileError).code).toBe('PROFILE_NOT_FOUND');
      expect((err as Error).message).toContain('chsi-graduation');
    }
  });
});

describe('user profiles', () => {
  const good = loadProfile('chsi-graduation');

  test('a YAML file with a white background and another window loads', () => {
    const path = join(dir, 'white.yaml');
    writeFileSync(path, `id: school-white\nname: 某校白底照片\nwidth: 358\nheight: 441\nbytes: { min: 10240, max: 30720 }\ndpi: 350\nminQuality: 70\nextensions: [".jpg"]\nfileNaming: either\nbackground: { rgb: [255, 255, 255], maxDeltaE: 8 }\ngeometry: { headTop: [20, 60], eyeLine: [150, 220], faceWidth: [150, 250], centreTolerance: 0.05 }\npose: { maxRoll: 5, maxYaw: 5, maxPitch: 5 }\n`);
    const p = loadProfile(path);
    expect(p).toMatchObject({ id: 'school-white', width: 358, height: 441, dpi: 350, fileNaming: 'either', background: { rgb: [255, 255, 255], maxDeltaE: 8 } });
  });

  test('a JSON file with bytes null (any size) loads', () => {
    const path = join(dir, 'any.json');
    writeFileSync(path, JSON.stringify({ ...good, id: 'any-size', bytes: null, dpi: null, background: null }));
    expect(loadProfile(path)).toMatchObject({ id: 'any-size', bytes: null, dpi: null, background: null });
  });

  test('each bad field is named in the Chinese message', () => {
    expectInvalid(() => validateProfile({ ...good, bytes: { min: -5, max: 40960 } }), 'bytes.min', '应为正整数');
    expectInvalid(() => validateProfile({ ...good, bytes: { min: 20480, max: 1.5 } }), 'bytes.max', '应为正整数');
    expectInvalid(() => validateProfile({ ...good, bytes: { min: 40960, max: 20480 } }), 'bytes', '的下限');
    expectInvalid(() => validateProfile({ ...good, width: '480' }), 'width', '应为正整数');
    expectInvalid(() => validateProfile({ ...good, fileNaming: 'studentId' }), 'fileNaming', '应为');
    expectInvalid(() => validateProfile({ ...good, extensions: ['jpg'] }), 'extensions[0]', '应为以点开头');
    expectInvalid(() => validateProfile({ ...good, background: { rgb: [100, 300, 255], maxDeltaE: 10 } }), 'background.rgb[1]', '应为 0–255 的整数');
    expectInvalid(() => validateProfile({ ...good, geometry: { ...good.geometry, eyeLine: [300, 200] } }), 'geometry.eyeLine', '的最小值');
    expectInvalid(() => validateProfile({ ...good, geometry: undefined }), 'geometry', '应为对象');
    expectInvalid(() => validateProfile({ ...good, pose: { maxRoll: 5, maxYaw: 'x', maxPitch: 5 } }), 'pose.maxYaw', '应为');
    expectInvalid(() => validateProfile({ ...good, minQuality: 0 }), 'minQuality', '应为 1 到 100');
    expectInvalid(() => validateProfile({ ...good, id: '' }), 'id', '应为非空字符串');
    expectInvalid(() => validateProfile({ ...good, photo: { minSharpness: 'high' } }), 'photo.minSharpness', '应为数');
  });

  test('a bad file on disk fails with PROFILE_INVALID naming the field; broken YAML too', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ ...good, bytes: { min: 0, max: 40960 } }));
    expectInvalid(() => loadProfile(path), 'bytes.min', '应为正整数');
    expect(() => parseProfile('id: [unclosed', 'x.yaml')).toThrow(ProfileError);
    const txt = join(dir, 'profile.txt');
    writeFileSync(txt, '{}');
    expect(() => loadProfile(txt)).toThrow(/\.json、\.yaml/);
  });
});
