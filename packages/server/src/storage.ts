import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';

/** Files on local disk under <dataDir>/<area>/ (照片与身份材料存储). Paths stored in the DB are relative. */
export class FileStore {
  constructor(private readonly root: string) {}
  async put(area: 'photos' | 'identity', bytes: Buffer, ext: string): Promise<{ storagePath: string; sha256: string }> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const rel = path.posix.join(area, sha256.slice(0, 2), `${sha256}-${crypto.randomBytes(4).toString('hex')}${ext}`);
    const abs = path.join(this.root, rel);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, bytes);
    return { storagePath: rel, sha256 };
  }
  read(storagePath: string): Promise<Buffer> {
    return fs.readFile(path.join(this.root, storagePath));
  }
}
