/**
 * Entry of the `gradpass` command (毕业照片与名册工具). Returns the process exit code:
 * 0 all photos pass, 1 some photo fails / needs review / could not be processed, 2 misuse.
 */
import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { Command, CommanderError, Help, type Option } from 'commander';
import { registerPhotoCommands } from './commands/photos.js';
import { registerRosterCommands } from './commands/roster/index.js';
import { registerProfileCommands } from './commands/profiles.js';
import { registerWorkerCommands } from './commands/worker.js';
import { displayWidth } from './text.js';
import { UsageError } from './usage.js';

const TITLES: Record<string, string> = { 'Usage:': '用法：', 'Options:': '选项：', 'Commands:': '命令：', 'Arguments:': '参数：', 'Global Options:': '全局选项：' };

/** Commander's own help in Chinese: section titles and the (default: …)/(choices: …) notes. */
function chineseHelp(cmd: Command): void {
  cmd.configureHelp({
    styleTitle: (title: string) => TITLES[title] ?? title,
    // Column widths by terminal columns, so Chinese terms line up.
    displayWidth: (s: string) => displayWidth(stripVTControlCharacters(s)),
    // Defaults are stated in our own (Chinese) descriptions; choices are listed in Chinese.
    optionDescription: (o: Option) => `${o.description}${o.argChoices ? `（可选：${o.argChoices.join('、')}）` : ''}`,
    subcommandTerm: (c: Command) => Help.prototype.subcommandTerm.call(new Help(), c).replace('[options]', '[选项]'),
  });
  cmd.helpOption('-h, --help', '显示帮助');
  cmd.usage(cmd.usage().replace('[options]', '[选项]').replace('[command]', '[命令]'));
}

/** Commander's English error messages, in Chinese with a stable code. */
function translate(err: CommanderError): { code: string; message: string } {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'commander.unknownOption':
      return { code: 'UNKNOWN_OPTION', message: `未知选项 ${quoted}` };
    case 'commander.unknownCommand':
      return { code: 'UNKNOWN_COMMAND', message: `未知命令 ${quoted}` };
    case 'commander.missingArgument':
      return { code: 'MISSING_ARGUMENT', message: `缺少参数 ${quoted}（例如照片文件、文件夹或 .zip 的路径）` };
    case 'commander.optionMissingArgument':
      return { code: 'OPTION_MISSING_VALUE', message: `选项 ${quoted} 缺少取值` };
    case 'commander.missingMandatoryOptionValue':
      return { code: 'MISSING_REQUIRED_OPTION', message: `缺少必需的选项 ${quoted}` };
    case 'commander.invalidArgument': {
      const allowed = /Allowed choices are (.*)\./.exec(err.message)?.[1];
      const reason = /\. (应为[^.]*)$/.exec(err.message)?.[1] ?? err.message.replace(/^error: /, '');
      return { code: 'INVALID_OPTION_VALUE', message: allowed ? `选项取值 ${quoted} 无效，可选：${allowed}` : `选项取值无效：${reason}` };
    }
    case 'commander.excessArguments':
      return { code: 'TOO_MANY_ARGUMENTS', message: '参数过多' };
    case 'commander.conflictingOption':
      return { code: 'CONFLICTING_OPTIONS', message: '选项相互冲突' };
    default:
      return { code: 'USAGE', message: err.message.replace(/^error: /, '') };
  }
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const program = new Command('gradpass')
    .description('毕业电子照片检测与修正、名册与身份比对（国家开放大学及各省开放大学毕业审核）')
    .version(pkg.version, '-V, --version', '显示版本号')
    .helpCommand('help [命令]', '显示某个命令的帮助')
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  registerPhotoCommands(program, setExitCode);
  registerProfileCommands(program);
  registerRosterCommands(program, setExitCode);
  registerWorkerCommands(program, setExitCode);
  chineseHelp(program);
  for (const cmd of program.commands) {
    chineseHelp(cmd);
    cmd.exitOverride().configureOutput({ outputError: () => undefined });
  }
  program.addHelpText(
    'after',
    `
示例：
  gradpass check 照片/ --report 检测报告.xlsx
  gradpass check 照片.zip --json > 结果.jsonl
  gradpass fix 原始照片/ --out 合格照片/ --report 修正报告.html

退出码：0 全部通过；1 有照片不通过、需人工复核或无法处理；2 用法错误。`,
  );
  return program;
}

/** Entry of the `gradpass` command. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // `gradpass check … --json | head`: a closed pipe ends the command quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 1);
    throw err;
  });
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  if (argv.length <= 2) {
    program.outputHelp();
    return 2;
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
      const t = translate(err);
      process.stderr.write(`gradpass：${t.message} ${t.code}\n（运行 gradpass --help 查看用法）\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`gradpass：${err.message} ${err.code}\n`);
      return 2;
    }
    throw err;
  }
}
