/** Arguments of a subcommand with one action word and `--config FILE` (`egw settings reset`, `egw key rotate`). */
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/errors.ts';

/** Parses `<action> [--config FILE]`; throws a ConfigError (exit 2) for an action not in `actions`. */
export function parseAction<A extends string>(
  command: string,
  args: string[],
  actions: readonly A[],
): { action: A; configFile?: string } {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' } },
    strict: true,
    allowPositionals: true,
  });
  const action = positionals[0] as A | undefined;
  if (action === undefined || !actions.includes(action)) {
    const expected = actions.map((a) => `"${a}"`).join(' or ');
    throw new ConfigError(`${command}: expected ${expected}, got ${JSON.stringify(action ?? '')}`, 'action');
  }
  return { action, ...(values.config === undefined ? {} : { configFile: values.config }) };
}
