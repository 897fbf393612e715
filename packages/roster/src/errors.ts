/**
 * Typed refusals of the roster tools (名册错误): a stable English code for programs and a Chinese
 * message for people.
 */
export class RosterError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RosterError';
  }
}
