/**
 * A user's folder outside the workspace with a strategy file of their own
 * (`test-support/user-folder.ts`): it imports `@lumenlink/core` and `@lumenlink/strategies` by
 * name, through a `node_modules` that links the workspace's packages (as `npm install` would).
 */
import {
  momentumStrategySource,
  userFolder as folder,
  type UserFolder,
} from '../../../test-support/user-folder.js';

export { momentumStrategySource as userStrategySource };

/** A user's folder with the LumenLink packages installed and `strategies/my-idea.ts` in it. */
export function userFolder(): UserFolder & {
  /** The strategy file's absolute path. */
  readonly strategyFile: string;
} {
  const user = folder();
  return { ...user, strategyFile: user.write('strategies/my-idea.ts', momentumStrategySource) };
}
