/**
 * Profiles (照片规格) as data: the shipped `profiles/*.json` and user files (JSON or YAML).
 * Every field is validated; a bad file gets a ProfileError naming the field in Chinese.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMA, load as loadYaml } from 'js-yaml';
import type { FileNaming, Profile } from './types.js';

/** The folder of shipped profiles, found relative to this module so it works from src/ and dist/. */
export const PROFILES_DIR = fileURLToPath(new URL('../profiles/', import.meta.url));

/** A profile that cannot be found or is not valid. Codes: PROFILE_NOT_FOUND, PROFILE_INVALID. 规格错误 */
export class ProfileError extends Error {
  readonly code: 'PROFILE_NOT_FOUND' | 'PROFILE_INVALID';
  /** The offending field path (e.g. `bytes.min`) when the profile is invalid. */
  readonly field?: string;
  constructor(code: 'PROFILE_NOT_FOUND' | 'PROFILE_INVALID', message: string, field?: string) {
    super(message);
    this.name = 'ProfileError';
    this.code = code;
    this.field = field;
  }
}

const NAMINGS: readonly FileNaming[] = ['xuehao', 'idcard', 'either', 'none'];

type Obj = Record<string, unknown>;

function invalid(source: string, field: string, what: string): never {
  throw new ProfileError('PROFILE_INVALID', `照片规格${source ? `（${source}）` : ''}无效：字段 ${field} ${what}`, field);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validate a parsed profile object and return it as a Profile (unknown fields are dropped).
 * Throws ProfileError(PROFILE_INVALID) naming the first wrong field, e.g. `字段 bytes.min 应为正整数`.
 */
export function validateProfile(input: unknown, source = ''): Profile {
  if (!isObj(input)) invalid(source, '(根)', '应为对象（JSON/YAML 映射）');
  const o = input;
  const str = (f: string, v: unknown, optional = false): string | undefined => {
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.trim() === '') invalid(source, f, '应为非空字符串');
    return v;
  };
  const posInt = (f: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) invalid(source, f, '应为正整数');
    return v;
  };
  const num = (f: string, v: unknown, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) invalid(source, f, `应为 ${min} 到 ${max} 之间的数`);
    return v;
  };
  const range = (f: string, v: unknown, min: number, max: number): [number, number] => {
    if (!Array.isArray(v) || v.length !== 2) invalid(source, f, '应为两个数的数组 [最小, 最大]');
    const a = num(`${f}[0]`, v[0], min, max);
    const b = num(`${f}[1]`, v[1], min, max);
    if (a > b) invalid(source, f, `的最小值 ${a} 大于最大值 ${b}`);
    return [a, b];
  };

  const id = str('id', o.id) as string;
  if (!/^[A-Za-z0-9._-]+$/.test(id)) invalid(source, 'id', '只能含字母、数字、点、下划线和连字符');
  const name = str('name', o.name) as string;
  const description = str('description', o.description, true);
  const width = posInt('width', o.width);
  const height = posInt('height', o.height);

  let bytes: Profile['bytes'] = null;
  if (o.bytes !== null) {
    if (!isObj(o.bytes)) invalid(source, 'bytes', '应为 { min, max } 对象或 null（不限大小）');
    const min = posInt('bytes.min', o.bytes.min);
    const max = posInt('bytes.max', o.bytes.max);
    if (min > max) invalid(source, 'bytes', `的下限 ${min} 大于上限 ${max}`);
    bytes = { min, max };
  }
  let kilobyte: number | undefined;
  if (o.kilobyte !== undefined) {
    if (o.kilobyte !== 1000 && o.kilobyte !== 1024) invalid(source, 'kilobyte', '应为 1000 或 1024');
    kilobyte = o.kilobyte;
  }
  const dpi = o.dpi === null ? null : posInt('dpi', o.dpi);
  const minQuality = num('minQuality', o.minQuality, 1, 100);
  if (!Array.isArray(o.extensions) || o.extensions.length === 0) invalid(source, 'extensions', '应为非空数组，例如 [".jpg", ".JPG"]');
  const extensions = o.extensions.map((e, i) => {
    if (typeof e !== 'string' || !/^\.[A-Za-z0-9]+$/.test(e)) invalid(source, `extensions[${i}]`, '应为以点开头的扩展名，例如 ".jpg"');
    return e;
  });
  if (typeof o.fileNaming !== 'string' || !NAMINGS.includes(o.fileNaming as FileNaming)) {
    invalid(source, 'fileNaming', `应为 ${NAMINGS.join(' / ')} 之一`);
  }
  const fileNaming = o.fileNaming as FileNaming;

  let background: Profile['background'] = null;
  if (o.background !== null) {
    if (!isObj(o.background)) invalid(source, 'background', '应为 { rgb, maxDeltaE } 对象或 null（不检查背景）');
    const rgb = o.background.rgb;
    if (!Array.isArray(rgb) || rgb.length !== 3) invalid(source, 'background.rgb', '应为三个 0–255 的整数 [R, G, B]');
    const rgb3 = rgb.map((c, i) => {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 255) invalid(source, `background.rgb[${i}]`, '应为 0–255 的整数');
      return c;
    }) as [number, number, number];
    const maxDeltaE = num('background.maxDeltaE', o.background.maxDeltaE, 0, 100);
    background = { rgb: rgb3, maxDeltaE };
  }

  if (!isObj(o.geometry)) invalid(source, 'geometry', '应为对象 { headTop, eyeLine, faceWidth, centreTolerance }');
  const g = o.geometry;
  const geometry: Profile['geometry'] = {
    headTop: range('geometry.headTop', g.headTop, 0, height),
    eyeLine: range('geometry.eyeLine', g.eyeLine, 0, height),
    faceWidth: range('geometry.faceWidth', g.faceWidth, 0, width),
    centreTolerance: num('geometry.centreTolerance', g.centreTolerance, 0, 0.5),
  };
  if (!isObj(o.pose)) invalid(source, 'pose', '应为对象 { maxRoll, maxYaw, maxPitch }');
  const pose: Profile['pose'] = {
    maxRoll: num('pose.maxRoll', o.pose.maxRoll, 0, 90),
    maxYaw: num('pose.maxYaw', o.pose.maxYaw, 0, 90),
    maxPitch: num('pose.maxPitch', o.pose.maxPitch, 0, 90),
  };

  let photo: Profile['photo'];
  if (o.photo !== undefined && o.photo !== null) {
    if (!isObj(o.photo)) invalid(source, 'photo', '应为对象（拍摄规则阈值，各字段为数）');
    photo = {};
    for (const [k, v] of Object.entries(o.photo)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) invalid(source, `photo.${k}`, '应为数');
      (photo as Record<string, number>)[k] = v;
    }
  }

  const maxUpscale = o.maxUpscale === undefined ? undefined : num('maxUpscale', o.maxUpscale, 1, 4);

  const profile: Profile = { id, name, width, height, bytes, dpi, minQuality, extensions, fileNaming, background, geometry, pose };
  if (photo !== undefined) profile.photo = photo;
  if (maxUpscale !== undefined) profile.maxUpscale = maxUpscale;
  if (description !== undefined) profile.description = description;
  if (kilobyte !== undefined) profile.kilobyte = kilobyte;
  return profile;
}

/** Parse profile text (JSON or YAML; JSON is YAML) and validate it. */
export function parseProfile(text: string, source = ''): Profile {
  let data: unknown;
  try {
    data = loadYaml(text, { schema: JSON_SCHEMA });
  } catch (err) {
    throw new ProfileError('PROFILE_INVALID', `照片规格${source ? `（${source}）` : ''}无法解析：${(err as Error).message.split('\n')[0]}`);
  }
  return validateProfile(data, source);
}

const cache = new Map<string, Profile>();

/** Ids of the shipped profiles, sorted. */
export function listProfileIds(): string[] {
  return readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Every shipped profile, validated. 内置照片规格 */
export function listProfiles(): Profile[] {
  return listProfileIds().map((id) => loadProfile(id));
}

/**
 * Load a profile by shipped id (`chsi-graduation`) or from a user's file path (.json, .yaml, .yml).
 * Throws ProfileError: PROFILE_NOT_FOUND (no such id or file), PROFILE_INVALID (names the field).
 */
export function loadProfile(idOrPath: string): Profile {
  const shipped = /^[A-Za-z0-9._-]+$/.test(idOrPath) && !/\.(json|ya?ml)$/i.test(idOrPath) ? join(PROFILES_DIR, `${idOrPath}.json`) : null;
  if (shipped && existsSync(shipped)) {
    const hit = cache.get(idOrPath);
    if (hit) return structuredClone(hit);
    const p = parseProfile(readFileSync(shipped, 'utf8'), `${idOrPath}.json`);
    cache.set(idOrPath, p);
    return structuredClone(p);
  }
  if (!existsSync(idOrPath)) {
    throw new ProfileError('PROFILE_NOT_FOUND', `找不到照片规格“${idOrPath}”：内置规格有 ${listProfileIds().join('、')}，或给出 JSON/YAML 文件路径`);
  }
  const ext = extname(idOrPath).toLowerCase();
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
    throw new ProfileError('PROFILE_INVALID', `照片规格文件“${idOrPath}”应为 .json、.yaml 或 .yml 文件`);
  }
  let text: string;
  try {
    text = readFileSync(idOrPath, 'utf8');
  } catch (err) {
    throw new ProfileError('PROFILE_NOT_FOUND', `无法读取照片规格文件“${idOrPath}”：${(err as Error).message}`);
  }
  return parseProfile(text, idOrPath);
}
