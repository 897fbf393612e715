import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

/** What a file is (存储区): a graduation photo, a scan of an identity document, or a finished export (导出文件). */
export type StoreArea = 'photos' | 'identity' | 'exports';

/**
 * Where photos and identity documents are kept (照片与身份材料存储). Keys stored in the database are relative
 * (`photos/ab/<sha256>-<random>.jpg`) and the same on every backend, so a deployment can move from disk to an
 * object store by copying the files under the same keys.
 */
export interface FileStore {
  readonly kind: 'disk' | 's3';
  put(area: StoreArea, bytes: Buffer, ext: string): Promise<{ storagePath: string; sha256: string }>;
  /**
   * Stores a file from local disk without holding it in memory (a finished export of hundreds of MB): streamed
   * to the object store, or moved into place on disk. The local file is gone afterwards either way.
   */
  putFile(
    area: StoreArea,
    localPath: string,
    ext: string,
  ): Promise<{ storagePath: string; sha256: string; bytes: number }>;
  /** Removes a file that no row refers to (a refused or rolled-back upload); missing files are fine. */
  remove(storagePath: string): Promise<void>;
  read(storagePath: string): Promise<Buffer>;
  /** The file as a stream (zip exports read thousands of files without holding them). */
  readStream(storagePath: string): Promise<Readable>;
  close(): Promise<void>;
}

/** A new key for a file: area, the first byte of its hash as a folder, hash and a random suffix. */
function newKey(area: StoreArea, bytes: Buffer, ext: string): { storagePath: string; sha256: string } {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const storagePath = path.posix.join(
    area,
    sha256.slice(0, 2),
    `${sha256}-${crypto.randomBytes(4).toString('hex')}${ext}`,
  );
  return { storagePath, sha256 };
}

/** A new key for a file on local disk, hashed by streaming it (the file is never read whole). */
async function newFileKey(area: StoreArea, localPath: string, ext: string) {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(localPath)) h.update(chunk as Buffer);
  const sha256 = h.digest('hex');
  const storagePath = path.posix.join(
    area,
    sha256.slice(0, 2),
    `${sha256}-${crypto.randomBytes(4).toString('hex')}${ext}`,
  );
  return { storagePath, sha256, bytes: (await fsp.stat(localPath)).size };
}

/** A stored key as given by the database: relative, no `..` (never a path outside the store). */
function checkedKey(storagePath: string): string {
  const parts = storagePath.split(/[\\/]/);
  if (!storagePath || path.isAbsolute(storagePath) || parts.includes('..'))
    throw new Error(`存储路径无效：${storagePath}`);
  return parts.join('/');
}

/** Files on local disk under <dataDir>/<area>/ (the embedded default). */
export class DiskStore implements FileStore {
  readonly kind = 'disk' as const;
  constructor(private readonly root: string) {}
  async put(area: StoreArea, bytes: Buffer, ext: string): Promise<{ storagePath: string; sha256: string }> {
    const key = newKey(area, bytes, ext);
    const abs = path.join(this.root, key.storagePath);
    await fsp.mkdir(path.dirname(abs), { recursive: true });
    // Written under a temporary name and renamed: a crash never leaves a half-written file under the real name.
    await fsp.writeFile(`${abs}.part`, bytes);
    await fsp.rename(`${abs}.part`, abs);
    return key;
  }
  async putFile(area: StoreArea, localPath: string, ext: string) {
    const key = await newFileKey(area, localPath, ext);
    const abs = path.join(this.root, key.storagePath);
    await fsp.mkdir(path.dirname(abs), { recursive: true });
    try {
      await fsp.rename(localPath, abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      // Another file system (the temporary folder on tmpfs): copied under a temporary name, then renamed.
      await fsp.copyFile(localPath, `${abs}.part`);
      await fsp.rename(`${abs}.part`, abs);
      await fsp.rm(localPath, { force: true });
    }
    return key;
  }
  async remove(storagePath: string): Promise<void> {
    await fsp.rm(path.join(this.root, checkedKey(storagePath)), { force: true });
  }
  async read(storagePath: string): Promise<Buffer> {
    return fsp.readFile(path.join(this.root, checkedKey(storagePath)));
  }
  async readStream(storagePath: string): Promise<Readable> {
    const abs = path.join(this.root, checkedKey(storagePath));
    await fsp.access(abs); // a missing file fails here, not later inside a zip
    return fs.createReadStream(abs);
  }
  async close(): Promise<void> {}
}

/** Settings of an S3-compatible object store (MinIO, Ceph radosgw, 阿里云 OSS, 腾讯云 COS, AWS S3). */
export interface S3Settings {
  /** e.g. `http://127.0.0.1:9000` (S3_ENDPOINT); omitted for AWS itself. */
  endpoint?: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Default `us-east-1` (most S3-compatible servers ignore it). */
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`): MinIO and Ceph need it (S3_FORCE_PATH_STYLE=1). */
  forcePathStyle?: boolean;
  /** Optional key prefix inside the bucket, e.g. one deployment's folder (S3_PREFIX). */
  prefix?: string;
}

/**
 * S3 settings from the environment, or null when S3_BUCKET is unset (then files stay on local disk). A bucket
 * without keys is refused at start with the missing variables named.
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings | null {
  if (!env.S3_BUCKET) return null;
  const missing = ['S3_ACCESS_KEY', 'S3_SECRET_KEY'].filter((k) => !env[k]);
  if (missing.length) throw new Error(`已设置 S3_BUCKET，但缺少 ${missing.join('、')}（对象存储的访问密钥）`);
  return {
    endpoint: env.S3_ENDPOINT || undefined,
    bucket: env.S3_BUCKET,
    accessKeyId: env.S3_ACCESS_KEY as string,
    secretAccessKey: env.S3_SECRET_KEY as string,
    region: env.S3_REGION || undefined,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === '1' || env.S3_FORCE_PATH_STYLE === 'true',
    prefix: env.S3_PREFIX || undefined,
  };
}

/** Files in an S3-compatible bucket: several web processes and workers on several machines see the same files. */
export class S3Store implements FileStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  constructor(s: S3Settings) {
    this.client = new S3Client({
      endpoint: s.endpoint,
      region: s.region ?? 'us-east-1',
      forcePathStyle: s.forcePathStyle ?? false,
      credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    });
    this.bucket = s.bucket;
    this.prefix = s.prefix ? `${s.prefix.replace(/\/+$/, '')}/` : '';
  }
  private objectKey(storagePath: string): string {
    return this.prefix + checkedKey(storagePath);
  }
  /** Checks the bucket at start (a wrong endpoint or key fails the start, not the first upload); creates it when asked. */
  async ensureBucket(create = false): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 && create) {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
        return;
      }
      throw new Error(`对象存储桶 ${this.bucket} 无法访问（${status ?? (e as Error).message}）`, { cause: e });
    }
  }
  async put(area: StoreArea, bytes: Buffer, ext: string): Promise<{ storagePath: string; sha256: string }> {
    const key = newKey(area, bytes, ext);
    // An object appears whole or not at all: S3 has no half-written objects.
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key.storagePath), Body: bytes }),
    );
    return key;
  }
  async putFile(area: StoreArea, localPath: string, ext: string) {
    const key = await newFileKey(area, localPath, ext);
    try {
      // One PUT streamed from the file (S3 takes up to 5 GB in one request; the length is known up front).
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key.storagePath),
          Body: fs.createReadStream(localPath),
          ContentLength: key.bytes,
        }),
      );
    } finally {
      await fsp.rm(localPath, { force: true });
    }
    return key;
  }
  async remove(storagePath: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(storagePath) }));
  }
  async read(storagePath: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.readStream(storagePath)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  async readStream(storagePath: string): Promise<Readable> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(storagePath) }));
    if (!(r.Body instanceof Readable)) throw new Error(`对象 ${storagePath} 没有内容`);
    return r.Body;
  }
  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** The store a configuration asks for: S3 when `s3` is given, else local disk under `dataDir`. */
export async function openFileStore(opts: { dataDir: string; s3?: S3Settings | null }): Promise<FileStore> {
  if (!opts.s3) return new DiskStore(opts.dataDir);
  const store = new S3Store(opts.s3);
  await store.ensureBucket();
  return store;
}
