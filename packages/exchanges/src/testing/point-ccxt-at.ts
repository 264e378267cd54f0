import { invalid } from './validate.js';

const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i;

function rewrite(value: unknown, root: string): unknown {
  if (typeof value === 'string') {
    const path = value.replace(origin, '');
    return path === '' || path.startsWith('/') ? root + path : `${root}/${path}`;
  }
  if (Array.isArray(value)) return value.map((entry) => rewrite(entry, root));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, rewrite(entry, root)]),
    );
  }
  return value;
}

/**
 * Points a ccxt exchange instance's `urls.api` at `base`: every URL (string values, or nested
 * objects of them) keeps its path and gets `base` as scheme, host and port, so
 * `https://api.binance.com/api/v3` becomes `http://127.0.0.1:<port>/api/v3`. Call it before
 * the first request: ccxt loads markets implicitly.
 *
 * @example
 * ```ts
 * const exchange = new ccxt.binance({ apiKey: 'key', secret: 'secret' });
 * pointCcxtAt(exchange, emulator.url);
 * ```
 * @throws {ValidationError} when `base` is not an http(s) URL.
 */
export function pointCcxtAt(exchange: { urls: { api: unknown } }, base: string): void {
  if (!/^https?:\/\/[^/\s]+\/?$/i.test(base)) {
    invalid('pointCcxtAt base', "an http(s) origin such as 'http://127.0.0.1:8080'", base);
  }
  exchange.urls.api = rewrite(exchange.urls.api, base.replace(/\/$/, ''));
}
