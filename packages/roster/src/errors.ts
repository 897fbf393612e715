/**
 * Typed refusals of the roster tools (名册错误): a stable English code for programs and a Chinese
 * message for people.
 */
export class RosterError extends Error {
  /**
   * @param message what a clerk reads (web app and CLI alike): no command-line advice in it.
   * @param cliHint advice that only makes sense on the command line (e.g. `--map`); the CLI appends it.
   */
  constructor(
    readonly code: string,
    message: string,
    readonly cliHint?: string,
  ) {
    super(message);
    this.name = 'RosterError';
  }
}
