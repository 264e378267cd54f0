import { ValidationError } from '@lumenlink/core';

/** A ccxt `urls.api` value: a URL, or a dictionary of them (nested for some exchanges). */
export type ApiUrls = string | { readonly [key: string]: ApiUrls };

const schemeAndHost = /^[a-z][a-z0-9+.-]*:\/\/[^/]+/i;

/**
 * Parses an API base URL override (`EXCHANGE_API_URL`): http or https, no query or fragment.
 * Returns it without a trailing slash, e.g. `http://127.0.0.1:8080` or `https://proxy/binance`.
 *
 * @throws {ValidationError} naming the setting and what it accepts.
 */
export function parseApiBaseUrl(text: string, setting = 'EXCHANGE_API_URL'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new ValidationError(
      `${setting} "${text}" is not a URL: expected a base URL such as http://127.0.0.1:8080`,
      { cause: error },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(
      `${setting} "${text}" must use http or https, not ${url.protocol.slice(0, -1)}`,
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ValidationError(
      `${setting} "${text}" must be a base URL without a query or fragment, such as http://127.0.0.1:8080`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Points every URL of a ccxt `urls.api` entry at `baseUrl`: the scheme and host of each URL
 * (`https://api.binance.com`, bybit's `https://api.{hostname}`, coinbase's
 * `https://api.coinbase.com`) are replaced by `baseUrl`, and the path is kept, so
 * `https://api.binance.com/sapi/v1` becomes `http://127.0.0.1:8080/sapi/v1`. Same keys, new
 * objects; the input is not changed.
 *
 * @param baseUrl a base URL as returned by {@link parseApiBaseUrl}.
 * @throws {ValidationError} when an entry is not an absolute URL (nothing to rewrite).
 */
export function rewriteApiUrls(urls: ApiUrls, baseUrl: string): ApiUrls {
  if (typeof urls === 'string') {
    if (!schemeAndHost.test(urls)) {
      throw new ValidationError(
        `Cannot point the API URL "${urls}" at ${baseUrl}: it is not an absolute URL`,
      );
    }
    return urls.replace(schemeAndHost, baseUrl);
  }
  return Object.fromEntries(
    Object.entries(urls).map(([key, value]) => [key, rewriteApiUrls(value, baseUrl)]),
  );
}
