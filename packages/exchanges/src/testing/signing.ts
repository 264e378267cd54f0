/**
 * Binance's request signing: HMAC-SHA256, keyed with the API secret, over the query string
 * followed by the body, each without its `signature` parameter; the key travels in the
 * `X-MBX-APIKEY` header.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EmulatorApiError, missingParameter } from './api-error.js';

/** The raw parts of a signed request. */
export interface SignedRequest {
  /** The raw query string, without `?`. */
  readonly rawQuery: string;
  readonly rawBody: string;
  /** The `X-MBX-APIKEY` header, if sent. */
  readonly apiKeyHeader: string | undefined;
  /** Parsed query and body parameters together. */
  readonly params: Readonly<Record<string, string>>;
}

function withoutSignature(raw: string): string {
  return raw
    .split('&')
    .filter((part) => part !== '' && !part.startsWith('signature='))
    .join('&');
}

/**
 * Checks a signed request as Binance does: the timestamp is mandatory; when credentials are
 * configured, the API key must match (-2014 when absent, -2015 when wrong) and so must the
 * signature (-1022).
 *
 * @throws {EmulatorApiError} with Binance's code for the first check that fails.
 */
export function verifySignedRequest(
  request: SignedRequest,
  credentials: { readonly apiKey: string; readonly secret: string } | undefined,
): void {
  if (credentials !== undefined) {
    if (request.apiKeyHeader === undefined || request.apiKeyHeader === '') {
      throw new EmulatorApiError(401, -2014, 'API-key format invalid.');
    }
    if (request.apiKeyHeader !== credentials.apiKey) {
      throw new EmulatorApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    }
  }
  if (!/^\d+$/.test(request.params['timestamp'] ?? '')) throw missingParameter('timestamp');
  if (credentials === undefined) return;
  const signature = request.params['signature'];
  if (signature === undefined || signature === '') throw missingParameter('signature');
  const payload = withoutSignature(request.rawQuery) + withoutSignature(request.rawBody);
  const expected = createHmac('sha256', credentials.secret).update(payload).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new EmulatorApiError(400, -1022, 'Signature for this request is not valid.');
  }
}
