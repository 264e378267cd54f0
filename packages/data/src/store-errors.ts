/**
 * How the store reports failures. SQLite errors are translated here and nowhere else: a
 * constraint or type violation is bad data or a bug ({@link DataIntegrityError}, permanent);
 * anything else SQLite raises (busy, locked, I/O, disk full, read-only, corrupt) is a
 * {@link StorageError}, transient: every order is blocked until storage answers again
 * (docs/architecture/principles.md, principle 6). The SQLite error is kept as the `cause`.
 * Nothing is swallowed.
 */
import {
  DataIntegrityError,
  LumenLinkError,
  StorageError,
  type LumenLinkErrorOptions,
} from '@lumenlink/core';

/**
 * An order with this client order id is already stored: its intent was persisted before, so it
 * must not be sent again. Look the stored order up instead (`getOrder`). Permanent: a
 * {@link DataIntegrityError} (code `DATA_INTEGRITY`).
 *
 * @example
 * ```ts
 * try { await store.orders.insertOrder(order); } catch (error) {
 *   if (DuplicateOrderError.isInstance(error)) return store.orders.getOrder(error.clientOrderId);
 *   throw error;
 * }
 * ```
 */
export class DuplicateOrderError extends DataIntegrityError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.DuplicateOrderError');
  }

  /** Whether `value` is a {@link DuplicateOrderError}, from any copy of this package. */
  static override isInstance(value: unknown): value is DuplicateOrderError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.DuplicateOrderError');
  }

  /** The client order id that is already stored. */
  readonly clientOrderId: string;

  constructor(clientOrderId: string, options: LumenLinkErrorOptions = {}) {
    super(
      `Order ${clientOrderId} is already stored: a client order id is used once (look it up instead of inserting it again)`,
      options,
    );
    this.clientOrderId = clientOrderId;
  }
}

/** The shape of better-sqlite3's `SqliteError`, matched structurally. */
interface SqliteErrorLike extends Error {
  readonly code: string;
}

/** Whether `error` was raised by SQLite (better-sqlite3's `SqliteError`). */
function isSqliteError(error: unknown): error is SqliteErrorLike {
  return (
    error instanceof Error &&
    error.name === 'SqliteError' &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('SQLITE_')
  );
}

/** SQLite result codes that mean the data, not the storage, is at fault. */
function isDataError(code: string): boolean {
  return (
    code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG'
  );
}

/**
 * Translates an error thrown while `context` (e.g. `saveCandles BTC-USD 1h`) ran: LumenLink
 * errors pass through, SQLite errors become {@link DataIntegrityError} or {@link StorageError}
 * with the SQLite error as cause, anything else (a bug) is returned unchanged.
 */
export function toStoreError(error: unknown, context: string): unknown {
  if (LumenLinkError.isInstance(error)) return error;
  if (isSqliteError(error)) {
    const message = `${context}: ${error.message} (${error.code})`;
    return isDataError(error.code)
      ? new DataIntegrityError(message, { cause: error })
      : new StorageError(message, { cause: error });
  }
  if (error instanceof Error && /driver has already been destroyed/.test(error.message)) {
    return new StorageError(`${context}: the store is closed`, { cause: error });
  }
  return error;
}

/**
 * Runs one store operation and translates what it throws with {@link toStoreError}.
 *
 * @throws {DataIntegrityError} on a constraint violation.
 * @throws {StorageError} on any other SQLite failure.
 */
export async function guarded<T>(context: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStoreError(error, context);
  }
}
