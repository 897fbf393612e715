/**
 * HTML report (网页报告): one self-contained file — thumbnails and overlays embedded as data URIs, a
 * verdict badge per photo, the failed rules with the Chinese message and hint, worst first.
 * Streamed: rows go to one temporary file per verdict and are joined, worst first, on close.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CheckResult, Verdict } from '@gradpass/photo';
import { RULES } from '@gradpass/photo/rules';
import { STATUS_ZH, VERDICT_ZH } from '../text.js';
import type { ReportRow, ReportWriter } from './row.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const ORDER: Verdict[] = ['error', 'fail', 'review', 'pass'];

function formatMeasure(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (Array.isArray(v)) return `[${v.map((x) => formatMeasure(x)).join(', ')}]`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function checkItem(c: CheckResult): string {
  const rule = RULES[c.id];
  return `<li class="${c.status}"><span class="st">${escapeHtml(STATUS_ZH[c.status])}</span> <b>${escapeHtml(rule?.zh ?? c.id)}</b> <code>${escapeHtml(c.id)}</code> <span class="en">${escapeHtml(rule?.en ?? '')}</span><div class="msg">${escapeHtml(c.message)}</div>${c.hint ? `<div class="hint">建议：${escapeHtml(c.hint)}</div>` : ''}<div class="val">测得 ${escapeHtml(formatMeasure(c.value))}，要求 ${escapeHtml(formatMeasure(c.limit))}</div></li>`;
}

export class HtmlReportWriter implements ReportWriter {
  private dir: string | null = null;
  private readonly buckets = new Map<Verdict, WriteStream>();
  private readonly counts: Record<Verdict, number> = { pass: 0, fail: 0, review: 0, error: 0 };

  constructor(readonly path: string, private readonly title = '照片检测报告') {}

  private async bucket(v: Verdict): Promise<WriteStream> {
    this.dir ??= await mkdtemp(path.join(os.tmpdir(), 'gradpass-html-'));
    let s = this.buckets.get(v);
    if (!s) {
      s = createWriteStream(path.join(this.dir, `${v}.part`));
      this.buckets.set(v, s);
    }
    return s;
  }

  async add(row: ReportRow): Promise<void> {
    const r = row.report;
    this.counts[r.verdict]++;
    const bad = r.checks.filter((c) => c.status === 'fail' || c.status === 'review');
    let overlay = '';
    if (row.overlay) {
      try {
        overlay = `<img class="overlay" alt="叠加图" src="data:image/png;base64,${(await readFile(row.overlay)).toString('base64')}">`;
      } catch {
        overlay = '<div class="note">叠加图读取失败</div>';
      }
    } else if (row.overlayNote) {
      overlay = `<div class="note">${escapeHtml(row.overlayNote)}</div>`;
    }
    const thumb = row.thumbnail ? `<img class="thumb" alt="缩略图" src="${row.thumbnail}">` : '<div class="thumb none">无法预览</div>';
    const html =
      `<article class="photo ${r.verdict}">` +
      `<div class="pics">${thumb}${overlay}</div>` +
      `<div class="body"><h2><span class="badge ${r.verdict}">${escapeHtml(VERDICT_ZH[r.verdict])}</span> <span class="file">${escapeHtml(r.file)}</span></h2>` +
      (r.output ? `<div class="out">输出：${escapeHtml(r.output)}</div>` : '') +
      (r.error ? `<div class="error">${escapeHtml(r.error.message)} <code>${escapeHtml(r.error.code)}</code></div>` : '') +
      (bad.length ? `<ul class="checks">${bad.map(checkItem).join('')}</ul>` : r.verdict === 'pass' ? '<div class="ok">全部检查通过</div>' : '') +
      `</div></article>\n`;
    const s = await this.bucket(r.verdict);
    if (!s.write(html)) await once(s, 'drain');
  }

  async close(): Promise<void> {
    const total = ORDER.reduce((n, v) => n + this.counts[v], 0);
    const out = createWriteStream(this.path);
    let failure: Error | null = null;
    out.on('error', (err) => (failure ??= err));
    out.write(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(this.title)}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:22px}.summary span{margin-right:16px}
.photo{display:flex;gap:16px;background:#fff;border:1px solid #ddd;border-left:6px solid #999;border-radius:6px;padding:12px;margin:10px 0}
.photo.error{border-left-color:#555}.photo.fail{border-left-color:#d4380d}.photo.review{border-left-color:#d48806}.photo.pass{border-left-color:#389e0d}
.pics{display:flex;gap:8px;flex:none}.thumb,.overlay{width:120px;height:auto;border:1px solid #ccc}.thumb.none{height:160px;display:flex;align-items:center;justify-content:center;color:#999;font-size:12px}
.badge{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-size:14px}
.badge.error{background:#555}.badge.fail{background:#d4380d}.badge.review{background:#d48806}.badge.pass{background:#389e0d}
h2{font-size:16px;margin:0 0 6px}.file{word-break:break-all}
.checks{margin:4px 0;padding-left:18px}.checks li{margin:4px 0}.checks li.fail .st{color:#d4380d}.checks li.review .st{color:#d48806}
.en{color:#888;font-size:12px}.msg{margin-left:4px}.hint{margin-left:4px;color:#0958d9}.val{margin-left:4px;color:#888;font-size:12px}
.error{color:#a8071a}.ok{color:#389e0d}.out,.note{color:#666;font-size:13px}code{background:#f0f0f0;padding:0 3px;border-radius:3px}
</style></head><body>
<h1>${escapeHtml(this.title)}</h1>
<p class="summary"><span>共 ${total} 张</span>${ORDER.map((v) => `<span class="badge ${v}">${escapeHtml(VERDICT_ZH[v])} ${this.counts[v]}</span>`).join(' ')}</p>
<p>按问题严重程度排序：无法处理 → 不通过 → 需人工复核 → 通过。</p>
<main>
`);
    for (const v of ORDER) {
      const s = this.buckets.get(v);
      if (!s || !this.dir) continue;
      s.end();
      await once(s, 'finish');
      if (!failure) await pipeline(createReadStream(path.join(this.dir, `${v}.part`)), out, { end: false }).catch((err: Error) => (failure ??= err));
    }
    if (!failure) {
      out.end('</main>\n<footer><p>由 gradpass 生成</p></footer></body></html>\n');
      await Promise.race([once(out, 'finish'), once(out, 'error')]).catch(() => undefined);
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    if (failure) throw failure;
  }
}
