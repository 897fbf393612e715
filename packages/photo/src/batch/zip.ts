/**
 * The zip reader shared by the CLI and the server (照片压缩包读取). Entries are read one at a time from a file on
 * disk (yauzl, lazy entries, streams): nothing but one entry's bytes — capped — is ever held in memory, and the
 * archive's directory is never collected into a list.
 *
 * Limits (every refusal has a stable code and a Chinese message that states the limit):
 * - entry count (`ZIP_TOO_MANY_ENTRIES`, whole archive, before anything is read);
 * - total uncompressed size of the entries that would be read (`ZIP_TOTAL_TOO_LARGE`, whole archive, up front);
 * - compression ratio of an entry, and bytes actually inflated beyond the declared size (`ZIP_BOMB`: the archive
 *   stops at the first sign);
 * - uncompressed size of one entry (`ZIP_ENTRY_TOO_LARGE`, that entry only);
 * - names that could escape a folder — `../`, absolute, drive letters, NUL (`ZIP_UNSAFE_NAME`, that entry only);
 * - encrypted or damaged entries (`ZIP_ENCRYPTED`, `ZIP_ENTRY_CORRUPT`, that entry only); a damaged directory
 *   (`ZIP_CORRUPT`) or a file that is no zip (`ZIP_INVALID`) stops the archive.
 *
 * Entry names are decoded as archivers write them: the UTF-8 flag (bit 11) or an Info-ZIP Unicode Path field →
 * UTF-8; else valid UTF-8 → UTF-8; else valid GB18030/GBK (Windows' built-in compression and Linux `zip` on a
 * Chinese system write GBK without the flag); else CP437, the format's historical code page.
 */
import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';

/** Stable codes of the zip reader's refusals. */
export type ZipErrorCode =
  | 'ZIP_INVALID'
  | 'ZIP_CORRUPT'
  | 'ZIP_TOO_MANY_ENTRIES'
  | 'ZIP_TOTAL_TOO_LARGE'
  | 'ZIP_BOMB'
  | 'ZIP_ENTRY_TOO_LARGE'
  | 'ZIP_UNSAFE_NAME'
  | 'ZIP_ENCRYPTED'
  | 'ZIP_ENTRY_CORRUPT';

/** A refusal: code + Chinese message. 压缩包问题 */
export interface ZipProblem {
  code: ZipErrorCode;
  message: string;
}

/** Thrown by an entry's `read()`; `fatal` when the whole archive stops (a bomb). */
export class ZipEntryError extends Error implements ZipProblem {
  constructor(
    readonly code: ZipErrorCode,
    message: string,
    readonly fatal = false,
  ) {
    super(message);
    this.name = 'ZipEntryError';
  }
}

/** The reader's limits. 压缩包限额 */
export interface ZipLimits {
  /** Largest uncompressed entry read, bytes. */
  maxEntryBytes: number;
  /** Largest sum of the uncompressed sizes of the entries read, bytes. */
  maxTotalBytes: number;
  /** Most records (files and folders) in the archive's directory. */
  maxEntries: number;
  /** Highest compression ratio (uncompressed / compressed) accepted for an entry larger than `ratioFloorBytes`. */
  maxRatio: number;
  /** Entries up to this uncompressed size are never judged by their ratio (small flat images compress well). */
  ratioFloorBytes: number;
}

const MIB = 1024 * 1024;

/** Smallest per-entry cap for photo sources: a 48-megapixel phone JPEG or a scanned TIFF fits. */
export const PHOTO_SOURCE_FLOOR_BYTES = 50 * MIB;
/** A source photo may be this many times the profile's largest accepted file before `fix` makes it fit. */
export const PHOTO_SOURCE_FACTOR = 512;

/**
 * The per-entry cap for photo sources (照片原图上限): the profile's byte window says what a photo can be —
 * max(bytes.max × 512, 50 MiB).
 */
export function photoSourceMaxBytes(profile?: { bytes: { max: number } | null } | null): number {
  const max = profile?.bytes?.max ?? 0;
  return Math.max(max * PHOTO_SOURCE_FACTOR, PHOTO_SOURCE_FLOOR_BYTES);
}

/** Default limits for a zip of photos (the same in the CLI and the server). */
export function photoZipLimits(profile?: { bytes: { max: number } | null } | null, overrides: Partial<ZipLimits> = {}): ZipLimits {
  return {
    maxEntryBytes: photoSourceMaxBytes(profile),
    maxTotalBytes: 2048 * MIB,
    maxEntries: 20_000,
    maxRatio: 200,
    ratioFloorBytes: 8 * MIB,
    ...overrides,
  };
}

/** One entry of the archive (not a folder). */
interface ZipItemBase {
  /** Decoded entry name as stored (`张三/1837001400123.jpg`). */
  name: string;
  /** Path segments of the name (no empty or `.` parts); safe to join under a folder for `entry` items. */
  segments: string[];
}

/** A readable entry. `read()` must be called before asking for the next item (the archive moves on). */
export interface ZipFileItem extends ZipItemBase {
  kind: 'entry';
  /** Declared uncompressed size, bytes. */
  size: number;
  /** Inflate the entry (capped); rejects with `ZipEntryError`. */
  read(): Promise<Buffer>;
}

/** An entry refused on its own; the archive goes on. */
export interface ZipEntryFailure extends ZipItemBase {
  kind: 'error';
  error: ZipProblem;
}

/** The archive stopped here (a bomb, too many entries, a damaged directory, not a zip); nothing follows. */
export interface ZipStop {
  kind: 'stop';
  error: ZipProblem;
}

/** An entry `wanted` declined (neither read nor counted); reported so a caller can count it. */
export interface ZipSkipped extends ZipItemBase {
  kind: 'skipped';
}

export type ZipItem = ZipFileItem | ZipEntryFailure | ZipSkipped | ZipStop;

export interface ZipReadOptions {
  limits?: Partial<ZipLimits>;
  /**
   * Entries this returns false for are neither counted towards the total nor read (e.g. `__MACOSX/` litter);
   * they come as `skipped` items. A pure predicate on the decoded name's segments (asked in both passes);
   * unsafe names are refused before it is asked.
   */
  wanted?: (segments: string[]) => boolean;
}

/** A size for messages: MB from 1 MiB on, else bytes. */
function mb(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MB` : `${bytes} 字节`;
}

/** Bytes that form valid GB18030 (GBK's superset): 1-, 2- and 4-byte sequences only. */
function isGb18030(raw: Buffer): boolean {
  let i = 0;
  while (i < raw.length) {
    const b = raw[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b === 0x80 || b === 0xff || i + 1 >= raw.length) return false;
    const b2 = raw[i + 1];
    if (b2 >= 0x40 && b2 <= 0xfe && b2 !== 0x7f) {
      i += 2;
      continue;
    }
    if (b2 >= 0x30 && b2 <= 0x39 && i + 3 < raw.length) {
      const b3 = raw[i + 2];
      const b4 = raw[i + 3];
      if (b3 >= 0x81 && b3 <= 0xfe && b4 >= 0x30 && b4 <= 0x39) {
        i += 4;
        continue;
      }
    }
    return false;
  }
  return true;
}

/** Private-use characters: GBK's user-defined areas, which no archiver's real names use. */
const PRIVATE_USE = /[\uE000-\uF8FF]/;

/**
 * Decode a zip entry name (文件名解码): bit 11 → UTF-8; an Info-ZIP Unicode Path extra field (0x7075) → UTF-8;
 * pure ASCII as is; valid UTF-8 → UTF-8 (macOS and many tools omit the flag); valid GB18030/GBK without
 * private-use characters → GBK; else CP437.
 */
export function decodeZipName(raw: Buffer, flags: number, extraFields: ReadonlyArray<{ id: number; data: Buffer }> = []): string {
  if ((flags & 0x800) !== 0) return raw.toString('utf8');
  for (const f of extraFields) {
    if (f.id === 0x7075 && f.data.length >= 5 && f.data[0] === 1) return f.data.subarray(5).toString('utf8');
  }
  if (!raw.some((b) => b >= 0x80)) return raw.toString('latin1');
  const asUtf8 = raw.toString('utf8');
  if (!asUtf8.includes('\uFFFD') && Buffer.from(asUtf8, 'utf8').equals(raw)) return asUtf8;
  if (isGb18030(raw)) {
    const gb = iconv.decode(raw, 'gb18030');
    if (!gb.includes('\uFFFD') && !PRIVATE_USE.test(gb)) return gb;
  }
  return iconv.decode(raw, 'cp437');
}

/** Why a name could write outside the folder it is extracted to, or null when it is safe. */
export function unsafeNameReason(name: string): string | null {
  if (name.includes('\0')) return '含有空字符（NUL）';
  if (/^[\\/]/.test(name)) return '是绝对路径';
  if (/^[a-zA-Z]:/.test(name) || /[\\/][a-zA-Z]:/.test(name)) return '含有盘符';
  if (name.split(/[\\/]/).some((s) => s === '..')) return '含有上级目录“../”';
  return null;
}

function segmentsOf(name: string): string[] {
  return name.split(/[\\/]+/).filter((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\0'));
}

function openZip(fsPath: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const opts = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: false };
    yauzl.open(fsPath, opts, (err, zip) => (err || !zip ? reject(err ?? new Error('zip open failed')) : resolve(zip)));
  });
}

/** Next directory record, `null` at the end, or the directory's damage as an Error. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null | Error> {
  return new Promise((resolve) => {
    const done = (v: yauzl.Entry | null | Error): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
      resolve(v);
    };
    const onEntry = (e: yauzl.Entry): void => done(e);
    const onEnd = (): void => done(null);
    const onError = (e: Error): void => done(e);
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function nameOf(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer | string;
  return typeof raw === 'string' ? raw : decodeZipName(raw, entry.generalPurposeBitFlag, entry.extraFields);
}

function isFolder(name: string): boolean {
  return name.endsWith('/') || name.endsWith('\\');
}

/** The bomb verdict on an entry's declared sizes, or null. */
function ratioProblem(name: string, entry: yauzl.Entry, limits: ZipLimits): ZipProblem | null {
  const size = entry.uncompressedSize;
  if (size <= limits.ratioFloorBytes) return null;
  const ratio = entry.compressedSize > 0 ? size / entry.compressedSize : Infinity;
  if (ratio <= limits.maxRatio) return null;
  const shown = Number.isFinite(ratio) ? `${Math.round(ratio)}:1` : '无穷大';
  return {
    code: 'ZIP_BOMB',
    message:
      `压缩包内“${name}”声明解压后 ${mb(size)}，压缩比 ${shown}，超过上限 ${limits.maxRatio}:1（照片几乎不可压缩），` +
      '疑似“压缩炸弹”，整个压缩包已停止处理',
  };
}

function entryTooLarge(name: string, size: number, limits: ZipLimits): ZipProblem {
  return { code: 'ZIP_ENTRY_TOO_LARGE', message: `压缩包内“${name}”解压后 ${mb(size)}，超过单个照片文件上限 ${mb(limits.maxEntryBytes)}，未处理` };
}

function describeEntryError(err: unknown): ZipEntryError {
  if (err instanceof ZipEntryError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/encrypt/i.test(msg)) return new ZipEntryError('ZIP_ENCRYPTED', '压缩包内文件已加密，无法读取');
  if (/compression method/i.test(msg)) return new ZipEntryError('ZIP_ENTRY_CORRUPT', `不支持的压缩方式，无法解压（${msg}）`);
  return new ZipEntryError('ZIP_ENTRY_CORRUPT', `压缩包内文件已损坏，无法解压（${msg}）`);
}

/** Inflate one entry, counting bytes: more than declared is a bomb; less is damage. */
async function inflate(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string): Promise<Buffer> {
  const stream = await new Promise<Readable>((resolve, reject) => {
    zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s)));
  });
  const declared = entry.uncompressedSize;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (e: ZipEntryError): void => {
      if (settled) return;
      settled = true;
      stream.destroy();
      reject(e);
    };
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > declared) {
        const message =
          `压缩包内“${name}”实际解压出的数据已超过其声明的 ${declared} 字节（文件头与内容不符），` +
          '疑似“压缩炸弹”，整个压缩包已停止处理';
        fail(new ZipEntryError('ZIP_BOMB', message, true));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('error', (err) => fail(describeEntryError(err)));
    stream.on('end', () => {
      if (settled) return;
      settled = true;
      if (total !== declared) {
        reject(new ZipEntryError('ZIP_ENTRY_CORRUPT', `压缩包内“${name}”已损坏：解压出 ${total} 字节，应为 ${declared} 字节`));
      } else resolve(Buffer.concat(chunks, total));
    });
  });
}

interface Survey {
  stop: ZipProblem | null;
}

/**
 * First pass over the directory (records only, nothing kept): entry count, declared total of the entries that
 * will be read, and declared ratios — so a bomb is refused before a single entry is inflated or stored.
 */
async function survey(fsPath: string, limits: ZipLimits, wanted: (s: string[]) => boolean): Promise<Survey> {
  const zip = await openZip(fsPath);
  try {
    if (zip.entryCount > limits.maxEntries) {
      const message = `压缩包内有 ${zip.entryCount} 个条目，超过上限 ${limits.maxEntries} 个，整个压缩包未处理；请分成几个压缩包`;
      return { stop: { code: 'ZIP_TOO_MANY_ENTRIES', message } };
    }
    let total = 0;
    for (;;) {
      const entry = await nextEntry(zip);
      if (entry === null) return { stop: null };
      if (entry instanceof Error) return { stop: { code: 'ZIP_CORRUPT', message: `压缩包目录已损坏，无法读取（${entry.message}）` } };
      const name = nameOf(entry);
      if (isFolder(name) || unsafeNameReason(name) || !wanted(segmentsOf(name))) continue;
      const bomb = ratioProblem(name, entry, limits);
      if (bomb) return { stop: bomb };
      if (entry.uncompressedSize > limits.maxEntryBytes) continue; // refused on its own, never read
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        const message = `压缩包解压后超过 ${mb(limits.maxTotalBytes)}（所有文件合计上限），整个压缩包未处理；请分成几个压缩包`;
        return { stop: { code: 'ZIP_TOTAL_TOO_LARGE', message } };
      }
    }
  } finally {
    zip.close();
  }
}

function openFailure(err: unknown): ZipProblem {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return { code: 'ZIP_INVALID', message: '找不到压缩包文件' };
  if (code === 'EACCES' || code === 'EPERM') return { code: 'ZIP_INVALID', message: '没有读取压缩包的权限' };
  return { code: 'ZIP_INVALID', message: `不是有效的 zip 压缩包（${err instanceof Error ? err.message : String(err)}）` };
}

/**
 * Read a zip archive on disk entry by entry (逐个读取压缩包). Yields folders never; `entry` items for files
 * to read (call `read()` before the next item), `error` items for entries refused on their own, `skipped` items
 * for entries `wanted` declined, and at most one
 * `stop` item, last, when the archive is refused or stops. Never throws for a bad archive.
 */
export async function* readZipEntries(fsPath: string, options: ZipReadOptions = {}): AsyncGenerator<ZipItem> {
  const limits = photoZipLimits(null, options.limits);
  const wanted = options.wanted ?? (() => true);
  try {
    const { stop } = await survey(fsPath, limits, wanted);
    if (stop) {
      yield { kind: 'stop', error: stop };
      return;
    }
  } catch (err) {
    yield { kind: 'stop', error: openFailure(err) };
    return;
  }
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(fsPath);
  } catch (err) {
    yield { kind: 'stop', error: openFailure(err) };
    return;
  }
  let total = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (entry === null) return;
      if (entry instanceof Error) {
        yield { kind: 'stop', error: { code: 'ZIP_CORRUPT', message: `压缩包目录已损坏，其余文件无法读取（${entry.message}）` } };
        return;
      }
      const name = nameOf(entry);
      if (isFolder(name)) continue;
      const segments = segmentsOf(name);
      const unsafe = unsafeNameReason(name);
      if (unsafe) {
        const message = `压缩包内文件名“${name.replace(/\0/g, '\\0')}”${unsafe}，可能写到目标文件夹以外，已拒绝`;
        yield { kind: 'error', name, segments, error: { code: 'ZIP_UNSAFE_NAME', message } };
        continue;
      }
      if (segments.length === 0) continue;
      if (!wanted(segments)) {
        yield { kind: 'skipped', name, segments };
        continue;
      }
      const bomb = ratioProblem(name, entry, limits);
      if (bomb) {
        yield { kind: 'stop', error: bomb };
        return;
      }
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        yield { kind: 'error', name, segments, error: entryTooLarge(name, entry.uncompressedSize, limits) };
        continue;
      }
      if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
        yield { kind: 'error', name, segments, error: { code: 'ZIP_ENCRYPTED', message: '压缩包内文件已加密，无法读取' } };
        continue;
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        const message = `压缩包解压后超过 ${mb(limits.maxTotalBytes)}（所有文件合计上限），其余文件未处理`;
        yield { kind: 'stop', error: { code: 'ZIP_TOTAL_TOO_LARGE', message } };
        return;
      }
      let fatal: ZipEntryError | null = null;
      let reading: Promise<Buffer> | null = null;
      const read = (): Promise<Buffer> => {
        reading ??= inflate(zip, entry, name).catch((err: unknown) => {
          const e = describeEntryError(err);
          if (e.fatal) fatal = e;
          throw e;
        });
        return reading;
      };
      yield { kind: 'entry', name, segments, size: entry.uncompressedSize, read };
      // The consumer may have started a read and moved on; let it finish before the archive moves.
      if (reading) await (reading as Promise<Buffer>).catch(() => undefined);
      if (fatal) {
        yield { kind: 'stop', error: { code: (fatal as ZipEntryError).code, message: (fatal as ZipEntryError).message } };
        return;
      }
    }
  } finally {
    zip.close();
  }
}
