/**
 * Name masking as the collection centre shows it (姓名脱敏): keep the first character, star the rest.
 * 张三 → 张*, 欧阳娜娜 → 欧***. A one-character name stays as it is.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return chars.join('');
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * 身份证号脱敏 as lists, exports and the audit log show it: the first 6 (area code) and the last 4 characters
 * stay, everything between is starred. 370102199001010040 → 370102********0040; a legacy 15-digit number keeps
 * 6 + 3. Anything shorter than 10 characters is starred entirely (nothing identifying is left to show).
 */
export function maskIdCard(idCard: string): string {
  const s = idCard.trim().toUpperCase();
  if (s.length < 10) return '*'.repeat(s.length);
  const tail = s.length === 15 ? 3 : 4;
  return s.slice(0, 6) + '*'.repeat(s.length - 6 - tail) + s.slice(s.length - tail);
}

/** A 身份证号-shaped token inside free text: 17 digits + digit/X, or 15 digits, not part of a longer run. */
const ID_CARD_IN_TEXT = /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;

/**
 * Masks every 身份证号-shaped token of a text (messages, URLs, log lines). Shape only, no checksum: a mistyped
 * number is still someone's number. 学号 (13 digits) and our 电子注册号 (16 digits) do not have this shape.
 */
export function maskIdCardsInText(text: string): string {
  return text.replace(ID_CARD_IN_TEXT, (m) => maskIdCard(m));
}
