/**
 * Batch inputs (批量输入): lazily walk the PATHS a user gave — single files, folders (recursive, streamed
 * with `opendir`, so a folder of 20,000 photos is never held in memory) and `.zip` archives (entries read
 * one at a time by the shared reader `zip.ts`, with its caps; GBK names of Chinese Windows archives decoded).
 * Nothing here throws on bad input: a missing path, an unreadable file or a corrupt archive entry becomes an
 * error item, and the walk goes on. Inside folders and archives, files that are not photos by name AND content
 * (Thumbs.db, .DS_Store, `__MACOSX/`, .txt, .tem, office documents…) are skipped and counted, not reported.
 */
import { lstat, opendir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { sniffFormat } from '../jpeg/sniff.js';
import { PHOTO_SOURCE_FLOOR_BYTES, readZipEntries, type ZipEntryError, type ZipLimits } from './zip.js';

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

/** A file passed over because it is not a photo (跳过的非照片文件). */
export interface SkippedSource {
  /** Display path, as `SourceItemBase.name`. */
  name: string;
  fileName: string;
  /** `system`: operating-system litter (Thumbs.db, `__MACOSX/`…); `not-photo`: neither name nor content is a photo. */
  reason: 'system' | 'not-photo';
}

export interface SourceOptions {
  /** Largest file (or zip entry) accepted, bytes. Default 50 MiB. */
  maxBytes?: number;
  /** Descend into `.zip` files found inside folders. Default true. */
  zipsInFolders?: boolean;
  /** Told of every file skipped inside a folder or archive (for the summary's count). */
  onSkip?: (skipped: SkippedSource) => void;
  /** The zip reader's other limits (entry count, total, ratio); defaults of `photoZipLimits`. */
  zipLimits?: Partial<ZipLimits>;
}

interface WalkOptions {
  maxBytes: number;
  zipsInFolders: boolean;
  onSkip?: (skipped: SkippedSource) => void;
  zipLimits?: Partial<ZipLimits>;
}

/** Largest file accepted by default: the shared reader's floor for photo sources (50 MiB). */
export const DEFAULT_MAX_BYTES = PHOTO_SOURCE_FLOOR_BYTES;

/** Files that are never photos and are skipped silently in folders (system litter), lower-case. */
const SYSTEM_FILES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini', 'ehthumbs.db', '.localized', 'icon\r']);
const SYSTEM_DIRS = new Set(['__macosx', '.git', '.svn', '$recycle.bin', 'system volume information', '.trashes', '.spotlight-v100', '.fseventsd']);

/** True for operating-system litter that is not a user's file (skipped silently, not reported). */
export function isSystemLitter(baseName: string): boolean {
  const lower = baseName.toLowerCase();
  return SYSTEM_FILES.has(lower) || lower.startsWith('._') || lower.startsWith('~$');
}

/** Extensions people give photos (lower-case, with the dot). A file named so is always processed. */
const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.webp', '.heic', '.heif', '.avif', '.gif', '.bmp', '.tif', '.tiff']);

/** Image formats a photo may arrive in, by content. */
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp', 'heic', 'avif', 'gif', 'bmp', 'tiff']);

/** Bytes needed to recognise an image format by content. */
const SNIFF_BYTES = 64;

/** True when the file name carries a photo extension (`.jpg`, `.png`, `.heic`…). */
export function hasPhotoExtension(fileName: string): boolean {
  return PHOTO_EXTENSIONS.has(path.extname(fileName).toLowerCase());
}

/** True when the content starts like an image (a renamed JPEG is still a photo). */
export function isPhotoContent(head: Buffer): boolean {
  return IMAGE_FORMATS.has(sniffFormat(head));
}

/** The first bytes of a file (for sniffing); an empty buffer when it cannot be read (reading reports why). */
async function readHead(fsPath: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(fsPath, 'r');
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } catch {
    return Buffer.alloc(0);
  } finally {
    await fh?.close().catch(() => undefined);
  }
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

/** The shared reader's per-entry refusal as a source error (the zip codes stay). */
function zipFailure(base: SourceItemBase, error: SourceErrorInfo): SourceFailure {
  return { kind: 'error', ...base, error };
}

/**
 * Iterate one zip archive with the shared reader (`zip.ts`): entries read one at a time, only when the consumer
 * asks for the next item; a refused entry becomes an error item; a bomb or a damaged directory ends the archive
 * with one error item. Entries that are not photos by name and content are skipped (counted via `onSkip`).
 */
async function* walkZip(fsPath: string, displayZip: string, relDir: string[], opts: WalkOptions): AsyncGenerator<SourceItem> {
  const zipBase = path.basename(fsPath);
  const wanted = (segments: string[]): boolean =>
    !segments.some((s) => SYSTEM_DIRS.has(s.toLowerCase())) && !isSystemLitter(segments[segments.length - 1]);
  const entries = readZipEntries(fsPath, { limits: { ...opts.zipLimits, maxEntryBytes: opts.maxBytes }, wanted });
  for await (const item of entries) {
    if (item.kind === 'stop') {
      const whole = { name: `${displayZip}!/`, fileName: zipBase, relPath: [...relDir, zipBase].join('/'), fsPath };
      yield zipFailure(whole, item.error);
      return;
    }
    const segments = item.segments.length > 0 ? item.segments : safeSegments(item.name);
    const fileName = segments[segments.length - 1] ?? zipBase;
    const base = { name: `${displayZip}!/${segments.join('/')}`, fileName, relPath: [...relDir, ...segments].join('/') };
    if (item.kind === 'skipped') {
      opts.onSkip?.({ name: base.name, fileName, reason: 'system' });
      continue;
    }
    if (item.kind === 'error') {
      yield zipFailure(base, item.error);
      continue;
    }
    // Read this entry now (the archive stays positioned here); the consumer holds at most this buffer.
    let data: Buffer;
    try {
      data = await item.read();
    } catch (err) {
      const e = err as ZipEntryError;
      if (e.fatal) continue; // the reader ends the archive with a stop item next
      yield zipFailure(base, { code: e.code ?? 'ZIP_ENTRY_CORRUPT', message: e.message });
      continue;
    }
    if (!hasPhotoExtension(fileName) && !isPhotoContent(data)) {
      opts.onSkip?.({ name: base.name, fileName, reason: 'not-photo' });
      continue;
    }
    yield { kind: 'file', ...base, read: () => Promise.resolve(data) };
  }
}

/** Walk a folder depth-first with `opendir` (streaming; nothing but the open directory handles is kept). */
async function* walkFolder(root: string, displayRoot: string, opts: WalkOptions): AsyncGenerator<SourceItem> {
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
        if (!isFile) continue;
        if (isSystemLitter(dirent.name)) {
          opts.onSkip?.({ name: joinDisplay(displayRoot, childRel), fileName: dirent.name, reason: 'system' });
          continue;
        }
        if (opts.zipsInFolders && isZipName(dirent.name)) {
          yield* walkZip(childPath, joinDisplay(displayRoot, childRel), rel, opts);
          continue;
        }
        // Not a photo by name: look at the content (users rename things); skip it when that is no photo either.
        if (!hasPhotoExtension(dirent.name) && !isPhotoContent(await readHead(childPath))) {
          opts.onSkip?.({ name: joinDisplay(displayRoot, childRel), fileName: dirent.name, reason: 'not-photo' });
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
 * Iterate every photo candidate under `paths`, lazily. A file given by name is always processed (the user
 * chose it); inside folders and archives, non-photos are skipped (see `SourceOptions.onSkip`). Order: paths in the order given; inside a folder,
 * depth-first (files of a folder in directory order); inside a zip, archive order.
 */
export async function* iterateSources(paths: readonly string[], options: SourceOptions = {}): AsyncGenerator<SourceItem> {
  const opts: WalkOptions = {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    zipsInFolders: options.zipsInFolders ?? true,
    onSkip: options.onSkip,
    zipLimits: options.zipLimits,
  };
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
      yield* walkZip(abs, display, [], opts);
    } else if (st.isFile()) {
      yield fileItem(abs, display, path.basename(abs), opts.maxBytes);
    } else {
      yield { kind: 'error', name: display, fileName: path.basename(abs), relPath: path.basename(abs), fsPath: abs, error: { code: 'NOT_A_FILE', message: '不是普通文件或文件夹' } };
    }
  }
}

