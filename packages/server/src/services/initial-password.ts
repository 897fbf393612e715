import crypto from 'node:crypto';
import { passwordProblem } from './passwords.js';

/**
 * Letters and digits of an initial password (初始密码字符): none that a person copying from paper confuses —
 * no 0/O/o, 1/l/I, nor 2/Z/z or 5/S/s.
 */
export const INITIAL_PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYabcdefghijkmnpqrtuvwxy346789';
/** Length of an initial password: 12 characters (the password rule asks for at least 10). */
export const INITIAL_PASSWORD_LENGTH = 12;

/**
 * A random initial password (随机初始密码), readable from a printed list: 12 characters from
 * {@link INITIAL_PASSWORD_ALPHABET} (uniform, by rejection sampling of random bytes), with at least one upper-case
 * letter, one lower-case letter and one digit, and accepted by the password rule for `username`.
 */
export function initialPassword(username: string, random: (n: number) => Buffer = crypto.randomBytes): string {
  const n = INITIAL_PASSWORD_ALPHABET.length;
  const limit = 256 - (256 % n);
  for (;;) {
    let pw = '';
    while (pw.length < INITIAL_PASSWORD_LENGTH) {
      for (const b of random(INITIAL_PASSWORD_LENGTH * 2)) {
        if (b < limit && pw.length < INITIAL_PASSWORD_LENGTH) pw += INITIAL_PASSWORD_ALPHABET[b % n];
      }
    }
    if (/[A-Z]/.test(pw) && /[a-z]/.test(pw) && /[0-9]/.test(pw) && passwordProblem(pw, username) === null) return pw;
  }
}
