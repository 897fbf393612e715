/**
 * Batch inputs (批量输入): lazily walk the PATHS a user gave — single files, folders (recursive, streamed
 * with `opendir`, so a folder of 20,000 photos is never held in memory) and `.zip` archives (entries read
 * one at a time; GBK/CP936 names of Chinese Windows archives decoded). Nothing here throws on bad input:
 * a missing path, an unreadable file or a corrupt archive entry becomes an error item, and the walk goes on.
 */
import { lstat, opendir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';

/** A problem with one input, with a stable code and a Chinese message. 输入错误 */
export interface SourceErrorInfo {
  code: string;
  message: string;
}

/** Thrown by `SourceItem.read()`; carries a stable code. */
export class SourceError extends Error implements SourceErrorInfo {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

interface SourceItemBase {
  /** Display path, e.g. `photos.zip!/张三/1837001400123.jpg` or `照片 2024/张三.jpg`. */
  name: string;
  /** Base name of the file, e.g. `1837001400123.jpg` (what the `name` and extension rules judge). */
  fileName: string;
  /**
   * Where this item sits relative to the PATH it came from, with `/` separators and no `..` (safe to join
   * under an output folder): a file argument → its base name; a file in a folder → its path inside the
   * folder; a zip entry → the entry path (inside a zip found in a folder: the zip's folder + entry path).
   */
  relPath: string;
  /** Absolute file-system path when the item is a plain file (not a zip entry). */
  fsPath?: string;
}

/** One readable input. 一张待处理的照片 */
export interface SourceFile extends SourceItemBase {
  kind: 'file';
  /** Read the bytes; rejects with `SourceError` (e.g. `FILE_TOO_LARGE`, `READ_FAILED`). */
  read(): Promise<Buffer>;
}

/** An input that could not be opened at all. */
export interface SourceFailure extends SourceItemBase {
  kind: 'error';
  error: SourceErrorInfo;
}

export type SourceItem = SourceFile | SourceFailure;

export interface SourceOptions {
  /** Largest file (or zip entry) accepted, bytes. Default 50 MiB. */
  maxBytes?: number;
  /** Descend into `.zip` files found inside folders. Default true. */
  zipsInFolders?: boolean;
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** Files that are never photos and are skipped silently in folders (system litter), lower-case. */
const SYSTEM_FILES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini', 'ehthumbs.db', '.localized', 'icon\r']);
const SYSTEM_DIRS = new Set(['__macosx', '.git', '.svn', '$recycle.bin', 'system volume information', '.trashes', '.spotlight-v100', '.fseventsd']);

/** True for operating-system litter that is not a user's file (skipped silently, not reported). */
export function isSystemLitter(baseName: string): boolean {
  const lower = baseName.toLowerCase();
  return SYSTEM_FILES.has(lower) || lower.startsWith('._') || lower.startsWith('~$');
}

function isZipName(name: string): boolean {
  return name.toLowerCase().endsWith('.zip');
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function tooLarge(size: number, max: number): SourceError {
  return new SourceError('FILE_TOO_LARGE', `文件过大（${mib(size)} MB，上限 ${mib(max)} MB），未处理`);
}

function describeFsError(err: unknown): SourceErrorInfo {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return { code: 'NOT_FOUND', message: '找不到该文件或文件夹' };
    case 'EACCES':
    case 'EPERM':
      return { code: 'ACCESS_DENIED', message: '没有读取权限' };
    case 'EISDIR':
      return { code: 'IS_DIRECTORY', message: '这是一个文件夹，不是文件' };
    default:
      return { code: 'READ_FAILED', message: `读取失败（${code ?? (err instanceof Error ? err.message : String(err))}）` };
  }
}

/** Read a plain file, refusing it before reading when it is larger than `maxBytes`. */
async function readFileLimited(fsPath: string, maxBytes: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(fsPath, 'r');
  } catch (err) {
    const info = describeFsError(err);
    throw new SourceError(info.code, info.message);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new SourceError('NOT_A_FILE', '不是普通文件');
    if (st.size > maxBytes) throw tooLarge(st.size, maxBytes);
    // Read exactly the size seen; a file that grows meanwhile is cut, one that shrinks is shortened.
    const buf = Buffer.allocUnsafeSlow(st.size);
    let offset = 0;
    while (offset < st.size) {
      const { bytesRead } = await fh.read(buf, offset, st.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === st.size ? buf : buf.subarray(0, offset);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    const info = describeFsError(err);
    throw new SourceError(info.code, info.message);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Split a path into safe segments: no empty, `.` or `..` parts, no drive letters. */
export function safeSegments(p: string): string[] {
  return p
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => s.replace(/^[a-zA-Z]:$/, '').replace(/[\0]/g, ''))
    .filter((s) => s !== '');
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Decode a zip entry name. Bit 11 set → UTF-8. Otherwise: an Info-ZIP Unicode Path extra field (0x7075)
 * wins; else bytes that are valid UTF-8 with non-ASCII characters (macOS and many tools write UTF-8 without
 * the flag) are UTF-8; else GBK/CP936 (what Chinese Windows writes; a superset of ASCII).
 */
export function decodeZipName(raw: Buffer, flags: number, extraFields: ReadonlyArray<{ id: number; data: Buffer }> = []): string {
  if ((flags & 0x800) !== 0) return raw.toString('utf8');
  for (const f of extraFields) {
    if (f.id === 0x7075 && f.data.length >= 5 && f.data[0] === 1) {
      return f.data.subarray(5).toString('utf8');
    }
  }
  let ascii = true;
  for (const b of raw) {
    if (b >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return raw.toString('latin1');
  const asUtf8 = raw.toString('utf8');
  if (!asUtf8.includes('\uFFFD') && Buffer.from(asUtf8, 'utf8').equals(raw)) return asUtf8;
  return iconv.decode(raw, 'gbk');
}

function openZip(fsPath: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(fsPath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(err ?? new Error('zip open failed'));
      else resolve(zip);
    });
  });
}

function readStreamLimited(stream: Readable, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        stream.destroy();
        reject(tooLarge(total, maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks, total)));
  });
}

function zipErrorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/invalid (?:compressed|stored) block|incorrect header|invalid distance|invalid code|unexpected end|too many length|invalid block type|crc/i.test(msg)) {
    return `压缩包内文件已损坏，无法解压（${msg}）`;
  }
  if (/encrypted/i.test(msg)) return '压缩包内文件已加密，无法读取';
  if (/compression method/i.test(msg)) return `不支持的压缩方式（${msg}）`;
  return `压缩包内文件读取失败（${msg}）`;
}

/**
 * Iterate one zip archive. Entries are read one at a time, in archive order, only when the consumer asks
 * for the next item; a bad entry becomes an error item; a corrupt central directory ends the archive with
 * one error item.
 */
async function* walkZip(fsPath: string, displayZip: string, relDir: string[], maxBytes: number): AsyncGenerator<SourceItem> {
  const zipBase = path.basename(fsPath);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(fsPath);
  } catch (err) {
    const info = (err as NodeJS.ErrnoException).code ? describeFsError(err) : { code: 'ZIP_INVALID', message: `不是有效的 zip 压缩包（${err instanceof Error ? err.message : String(err)}）` };
    yield { kind: 'error', name: displayZip, fileName: zipBase, relPath: [...relDir, zipBase].join('/'), fsPath, error: info };
    return;
  }
  try {
    while (true) {
      const next = await new Promise<yauzl.Entry | null | Error>((resolve) => {
        const onEntry = (e: yauzl.Entry): void => {
          cleanup();
          resolve(e);
        };
        const onEnd = (): void => {
          cleanup();
          resolve(null);
        };
        const onError = (e: Error): void => {
          cleanup();
          resolve(e);
        };
        const cleanup = (): void => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (next === null) return;
      if (next instanceof Error) {
        yield { kind: 'error', name: `${displayZip}!/`, fileName: zipBase, relPath: [...relDir, zipBase].join('/'), fsPath, error: { code: 'ZIP_CORRUPT', message: `压缩包目录已损坏，其余文件无法读取（${next.message}）` } };
        return;
      }
      const entry = next;
      const rawName = entry.fileName as unknown as Buffer | string;
      const entryName = typeof rawName === 'string' ? rawName : decodeZipName(rawName, entry.generalPurposeBitFlag, entry.extraFields);
      const isDir = entryName.endsWith('/') || entryName.endsWith('\\');
      if (isDir) continue;
      const segments = safeSegments(entryName);
      if (segments.length === 0) continue;
      if (segments.some((s) => SYSTEM_DIRS.has(s.toLowerCase()))) continue;
      const fileName = segments[segments.length - 1];
      if (isSystemLitter(fileName)) continue;
      const name = `${displayZip}!/${segments.join('/')}`;
      const relPath = [...relDir, ...segments].join('/');
      const base = { name, fileName, relPath };
      if (entry.uncompressedSize > maxBytes) {
        const e = tooLarge(entry.uncompressedSize, maxBytes);
        yield { kind: 'error', ...base, error: { code: e.code, message: e.message } };
        continue;
      }
      if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
        yield { kind: 'error', ...base, error: { code: 'ZIP_ENCRYPTED', message: '压缩包内文件已加密，无法读取' } };
        continue;
      }
      // Read this entry now (the archive stays positioned here); the consumer holds at most this buffer.
      let data: Buffer | null = null;
      let failure: SourceErrorInfo | null = null;
      try {
        const stream = await new Promise<Readable>((resolve, reject) => {
          zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s)));
        });
        data = await readStreamLimited(stream, maxBytes);
      } catch (err) {
        failure = err instanceof SourceError ? { code: err.code, message: err.message } : { code: 'ZIP_ENTRY_CORRUPT', message: zipErrorMessage(err) };
      }
      if (failure || !data) {
        yield { kind: 'error', ...base, error: failure ?? { code: 'ZIP_ENTRY_CORRUPT', message: '压缩包内文件读取失败' } };
      } else {
        const bytes = data;
        yield { kind: 'file', ...base, read: () => Promise.resolve(bytes) };
      }
    }
  } finally {
    zip.close();
  }
}

/** Walk a folder depth-first with `opendir` (streaming; nothing but the open directory handles is kept). */
async function* walkFolder(root: string, displayRoot: string, opts: Required<SourceOptions>): AsyncGenerator<SourceItem> {
  // Each frame: directory on disk, its segments relative to root.
  const stack: string[][] = [[]];
  while (stack.length > 0) {
    const rel = stack.pop() as string[];
    const dirPath = path.join(root, ...rel);
    let dir;
    try {
      dir = await opendir(dirPath, { bufferSize: 64 });
    } catch (err) {
      const info = describeFsError(err);
      yield { kind: 'error', name: joinDisplay(displayRoot, rel), fileName: rel[rel.length - 1] ?? path.basename(root), relPath: rel.join('/'), fsPath: dirPath, error: info };
      continue;
    }
    const subdirs: string[][] = [];
    try {
      for await (const dirent of dir) {
        const childRel = [...rel, dirent.name];
        const childPath = path.join(dirPath, dirent.name);
        let isDir = dirent.isDirectory();
        let isFile = dirent.isFile();
        if (dirent.isSymbolicLink()) {
          // Follow links to files; never follow links to folders (loops).
          try {
            const st = await stat(childPath);
            isFile = st.isFile();
            isDir = false;
          } catch {
            yield { kind: 'error', name: joinDisplay(displayRoot, childRel), fileName: dirent.name, relPath: childRel.join('/'), fsPath: childPath, error: { code: 'BROKEN_LINK', message: '符号链接指向的文件不存在' } };
            continue;
          }
        }
        if (isDir) {
          if (!SYSTEM_DIRS.has(dirent.name.toLowerCase())) subdirs.push(childRel);
          continue;
        }
        if (!isFile || isSystemLitter(dirent.name)) continue;
        if (opts.zipsInFolders && isZipName(dirent.name)) {
          yield* walkZip(childPath, joinDisplay(displayRoot, childRel), rel, opts.maxBytes);
          continue;
        }
        yield fileItem(childPath, joinDisplay(displayRoot, childRel), childRel.join('/'), opts.maxBytes);
      }
    } catch (err) {
      const info = describeFsError(err);
      yield { kind: 'error', name: joinDisplay(displayRoot, rel), fileName: rel[rel.length - 1] ?? path.basename(root), relPath: rel.join('/'), fsPath: dirPath, error: info };
    }
    // Visit sub-folders in name order (stack: push in reverse so the first name is popped first).
    subdirs.sort((a, b) => (a[a.length - 1] < b[b.length - 1] ? 1 : -1));
    stack.push(...subdirs);
  }
}

function joinDisplay(root: string, rel: string[]): string {
  if (rel.length === 0) return root;
  const sep = root.endsWith('/') || root.endsWith(path.sep) ? '' : '/';
  return `${root}${sep}${rel.join('/')}`;
}

function fileItem(fsPath: string, name: string, relPath: string, maxBytes: number): SourceFile {
  return { kind: 'file', name, fileName: path.basename(fsPath), relPath, fsPath, read: () => readFileLimited(fsPath, maxBytes) };
}

/**
 * Iterate every photo candidate under `paths`, lazily. Order: paths in the order given; inside a folder,
 * depth-first (files of a folder in directory order); inside a zip, archive order.
 */
export async function* iterateSources(paths: readonly string[], options: SourceOptions = {}): AsyncGenerator<SourceItem> {
  const opts: Required<SourceOptions> = { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, zipsInFolders: options.zipsInFolders ?? true };
  for (const given of paths) {
    const abs = path.resolve(given);
    const display = toPosix(given);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      let info = describeFsError(err);
      if (info.code === 'NOT_FOUND') {
        // A dangling symlink says so.
        const l = await lstat(abs).catch(() => null);
        if (l?.isSymbolicLink()) info = { code: 'BROKEN_LINK', message: '符号链接指向的文件不存在' };
      }
      yield { kind: 'error', name: display, fileName: path.basename(abs), relPath: path.basename(abs), fsPath: abs, error: info };
      continue;
    }
    if (st.isDirectory()) {
      yield* walkFolder(abs, display, opts);
    } else if (st.isFile() && isZipName(abs)) {
      yield* walkZip(abs, display, [], opts.maxBytes);
    } else if (st.isFile()) {
      yield fileItem(abs, display, path.basename(abs), opts.maxBytes);
    } else {
      yield { kind: 'error', name: display, fileName: path.basename(abs), relPath: path.basename(abs), fsPath: abs, error: { code: 'NOT_A_FILE', message: '不是普通文件或文件夹' } };
    }
  }
}

