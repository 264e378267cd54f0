import type { LogFields, Logger } from '../logger.js';

/** A line a {@link recordingLogger} kept: its level, message and fields (a child's bindings included). */
export interface LoggedLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly fields: LogFields;
}

/**
 * A {@link Logger} that keeps every line in `lines`, children included (with their bindings
 * merged into the fields), so a test can assert what was logged, at which level, in which order.
 *
 * @example
 * ```ts
 * const lines: LoggedLine[] = [];
 * startSomething({ logger: recordingLogger(lines) });
 * expect(lines.find((line) => line.level === 'warn')?.message).toBe('feed degraded');
 * ```
 */
export function recordingLogger(lines: LoggedLine[], bindings: LogFields = {}): Logger {
  const at =
    (level: LoggedLine['level']) =>
    (message: string, fields: LogFields = {}): void => {
      lines.push({ level, message, fields: { ...bindings, ...fields } });
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}
