import { describe, expect, it } from 'vitest';
import { formatFlagHelp, parseFlags, suggestFlags, UsageError, type FlagSpec } from './flags.js';

const specs: FlagSpec[] = [
  { name: 'cash', kind: 'value', placeholder: 'N', help: 'Starting cash.' },
  { name: 'param', kind: 'repeat', placeholder: 'K=V', help: 'A parameter.' },
  { name: 'close-at-end', kind: 'switch', help: 'Close at the end.' },
  { name: 'help', kind: 'switch', help: 'Help.' },
];

function failure(argv: string[]): UsageError {
  try {
    parseFlags(argv, specs);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parseFlags(${argv.join(' ')}) did not throw`);
}

describe('parseFlags', () => {
  it('reads values after the flag or after =, repeats, switches, -h, and skips a lone --', () => {
    const flags = parseFlags(
      ['--', '--cash', '500', '--param=a=1', '--param', 'b=2', '--close-at-end', '-h'],
      specs,
    );
    expect([...flags]).toEqual([
      ['cash', ['500']],
      ['param', ['a=1', 'b=2']],
      ['close-at-end', []],
      ['help', []],
    ]);
  });

  it('takes an empty value after = and a negative number as a value', () => {
    expect(parseFlags(['--cash='], specs).get('cash')).toEqual(['']);
    expect(parseFlags(['--cash', '-5'], specs).get('cash')).toEqual(['-5']);
  });

  it('names the flag in every mistake', () => {
    expect(failure(['--csh', '5']).message).toBe(
      '--csh: unknown flag; did you mean --cash? See --help for every flag.',
    );
    expect(failure(['--zzzzzzzz']).message).toBe(
      '--zzzzzzzz: unknown flag. See --help for every flag.',
    );
    expect(failure(['--cash']).message).toBe('--cash: needs a value: --cash N');
    expect(failure(['--cash', '--close-at-end']).message).toBe('--cash: needs a value: --cash N');
    expect(failure(['--close-at-end=yes']).message).toBe(
      '--close-at-end: is a switch and takes no value (got "--close-at-end=yes")',
    );
    expect(failure(['--cash', '1', '--cash', '2']).message).toBe(
      '--cash: is given more than once; give it once',
    );
    expect(failure(['ema_crossover']).flag).toBe('(arguments)');
    expect(failure(['ema_crossover']).message).toBe(
      '(arguments): unexpected argument "ema_crossover": every option is a flag such as --strategy ema_crossover; see --help',
    );
    expect(failure(['--cash', '1', '-x']).message).toContain('unexpected argument "-x"');
  });
});

describe('suggestFlags', () => {
  it('suggests close names and names sharing the prefix, nearest first', () => {
    expect(suggestFlags('close', specs)).toEqual(['--close-at-end']);
    expect(suggestFlags('parm', specs)).toEqual(['--param']);
    expect(suggestFlags('qqqqqqqqqqqq', specs)).toEqual([]);
  });
});

describe('formatFlagHelp', () => {
  it('aligns the flags and their help', () => {
    expect(formatFlagHelp(specs)).toEqual([
      '  --cash N        Starting cash.',
      '  --param K=V     A parameter.',
      '  --close-at-end  Close at the end.',
      '  --help          Help.',
    ]);
  });
});
