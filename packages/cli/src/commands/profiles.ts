/** `gradpass profiles` — list the shipped photo profiles (内置照片规格). */
import type { Command } from 'commander';
import { listProfiles } from '@gradpass/photo/profiles';
import { formatTable } from '../text.js';

export function registerProfileCommands(program: Command): void {
  program
    .command('profiles')
    .description('列出内置的照片规格')
    .action(() => {
      const kb = (n: number, k = 1024): string => `${Math.round(n / k)} KB`;
      const rows = listProfiles().map((p) => [p.id, p.name, `${p.width}×${p.height}`, p.bytes ? `${kb(p.bytes.min, p.kilobyte)}–${kb(p.bytes.max, p.kilobyte)}` : '不限', p.dpi ? `${p.dpi} dpi` : '不限', p.fileNaming]);
      process.stdout.write(formatTable([['编号', '名称', '像素', '文件大小', '分辨率', '文件命名'], ...rows]) + '\n');
    });
}
