/**
 * The file store (照片与身份材料存储) on local disk and on a real S3 protocol server (s3rver, started here): the
 * same keys, whole reads and streams, removal, a missing file failing, keys outside the store refused, and the
 * platform itself (upload → current photo → zip export) on S3 with SQLite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { DiskStore, S3Store, s3SettingsFromEnv, type FileStore, type S3Settings } from '../src/storage.js';
import yauzl from 'yauzl';
import { Client, checksDone, compliantJpeg, demoIds, makeApp } from './helpers.js';

/** The entries of a zip held in memory (a small test export), name → bytes. */
function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) =>
        zip.openReadStream(e, (e2, s) => {
          if (e2 || !s) return reject(e2);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            out.set(e.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(out));
      zip.readEntry();
    });
  });
}

let s3: S3rver;
let s3Dir: string;
let settings: S3Settings;
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-store-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  s3Dir = tmp();
  s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: s3Dir, silent: true });
  const { port } = await s3.run();
  settings = {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'gradpass-store-test',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    prefix: 'deployment-a',
  };
  await new S3Store(settings).ensureBucket(true);
});
afterAll(async () => {
  await s3?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const stores: Array<[string, () => FileStore]> = [
  ['disk', () => new DiskStore(tmp())],
  ['s3', () => new S3Store(settings)],
];

for (const [kind, make] of stores) {
  describe(`file store on ${kind}`, () => {
    it('stores under a content-named key, reads whole and as a stream, removes', async () => {
      const store = make();
      const bytes = Buffer.from('照片内容'.repeat(5000));
      const { storagePath, sha256 } = await store.put('photos', bytes, '.jpg');
      expect(storagePath).toMatch(new RegExp(`^photos/${sha256.slice(0, 2)}/${sha256}-[0-9a-f]{8}\\.jpg$`));
      expect((await store.read(storagePath)).equals(bytes)).toBe(true);
      const chunks: Buffer[] = [];
      for await (const c of await store.readStream(storagePath)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
      await store.remove(storagePath);
      await expect(store.read(storagePath)).rejects.toThrow();
      await expect(store.readStream(storagePath)).rejects.toThrow();
      await store.remove(storagePath); // already gone: fine
      await store.close();
    });
    it('refuses keys outside the store', async () => {
      const store = make();
      await expect(store.read('../etc/passwd')).rejects.toThrow('存储路径无效');
      await expect(store.read('/etc/passwd')).rejects.toThrow('存储路径无效');
      await store.close();
    });
  });
}

describe('S3 settings and the platform on S3', () => {
  it('reads S3_* from the environment; a bucket without keys is refused by name', () => {
    expect(s3SettingsFromEnv({})).toBeNull();
    expect(() => s3SettingsFromEnv({ S3_BUCKET: 'b' })).toThrow('S3_ACCESS_KEY、S3_SECRET_KEY');
    expect(
      s3SettingsFromEnv({ S3_BUCKET: 'b', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', S3_FORCE_PATH_STYLE: '1' }),
    ).toMatchObject({ bucket: 'b', forcePathStyle: true });
  });

  it('an unreachable bucket fails the start with its name', async () => {
    await expect(makeApp('sqlite', { s3: { ...settings, bucket: 'no-such-bucket' } })).rejects.toThrow(
      '对象存储桶 no-such-bucket 无法访问',
    );
  });

  it('uploads, serves and exports photos from the bucket (SQLite)', async () => {
    const t = await makeApp('sqlite', { s3: settings });
    try {
      const centre = await Client.login(t.app, 'lixia');
      const ids = await demoIds(t.app);
      const student = ids.student('张伟');
      const jpeg = await compliantJpeg(9);
      const up = await centre.upload(`/api/students/${student.id}/photo`, 'a.jpg', jpeg);
      expect(up.statusCode, up.body).toBe(200);
      const got = await centre.get(`/api/students/${student.id}/photo`);
      expect(got.rawPayload.equals(jpeg)).toBe(true);
      expect(fs.existsSync(path.join(t.app.ctx.config.dataDir, 'photos'))).toBe(false);
      const key = (await t.app.ctx.repos.photos.byId(up.json().id))?.storage_path as string;
      expect(fs.readdirSync(s3Dir, { recursive: true }).join('\n')).toContain(path.basename(key));
      await checksDone(t.app);
      // Whatever the engine said of this synthetic photo, the export takes compliant ones: mark it so.
      await t.app.ctx.repos.photos.update(up.json().id, { status: 'pass' });
      const zip = await unzip((await centre.get('/api/photos/export.zip')).rawPayload);
      expect(zip.get(`${student.xuehao}.jpg`)?.equals(jpeg)).toBe(true);
      expect(zip.has('导出报告.xlsx')).toBe(true);
    } finally {
      await t.close();
    }
  });
});
