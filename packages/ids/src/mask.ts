/**
 * Name masking as the collection centre shows it (姓名脱敏): keep the first character, star the rest.
 * 张三 → 张*, 欧阳娜娜 → 欧***. A one-character name stays as it is.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return chars.join('');
  return chars[0] + '*'.repeat(chars.length - 1);
}
