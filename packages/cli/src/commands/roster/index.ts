import type { Command } from 'commander';

/**
 * Roster subcommands (名册：导入、匹配、比对、导出) — CONTRACT ONLY until the roster work lands.
 * Registers `gradpass roster …`/`match`/`export` on the program; owned by the roster work.
 */
export function registerRosterCommands(_program: Command): void {
  // Filled in by the roster work.
}
