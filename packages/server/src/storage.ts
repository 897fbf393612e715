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
    // Written under a temporary name and renamed: a crash never leaves a half-written file under the real name.
    await fs.writeFile(`${abs}.part`, bytes);
    await fs.rename(`${abs}.part`, abs);
    return { storagePath: rel, sha256 };
  }
  /** Removes a file that no row refers to (a refused or rolled-back upload); missing files are fine. */
  async remove(storagePath: string): Promise<void> {
    await fs.rm(path.join(this.root, storagePath), { force: true });
  }
  read(storagePath: string): Promise<Buffer> {
    return fs.readFile(path.join(this.root, storagePath));
  }
}
