/** The command-line helpers `yarn bench` and `yarn reliability` share. */

// prettier 2 ships no types; only its synchronous format is used.
export const prettier: {
  format(source: string, options: { parser: string }): string;
} = require('prettier');

const argv = process.argv.slice(2);

/** Whether `--name` was given. */
export const flag = (name: string) => argv.includes(name);

/** The value after `--name`, if given. */
export const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
