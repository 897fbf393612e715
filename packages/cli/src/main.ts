/** Entry of the `gradpass` command. Returns the process exit code. */
export async function main(_argv: string[]): Promise<number> {
  console.error('gradpass：尚未实现 NOT_IMPLEMENTED');
  return 2;
}
