import { TroupeError } from '@troupe/kit';
import type { AlertRaised } from '@troupe/contracts';

/** The webhook answered with an error status or not at all (retryable). */
export class WebhookError extends TroupeError {
  constructor(url: string, found: string, options?: { cause?: unknown }) {
    super(
      'WEBHOOK_FAILED',
      `alert webhook ${redactUrl(url)}: expected a 2xx answer, found ${found}`,
      options,
    );
  }
}

/** POSTs the alert as JSON; the alert id doubles as the receiver's idempotency key. */
export async function postAlert(
  url: string,
  alert: AlertRaised,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': alert.alertId },
      body: JSON.stringify(alert),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (error) {
    throw new WebhookError(url, (error as Error).message, { cause: error });
  }
  await response.body?.cancel();
  if (!response.ok) throw new WebhookError(url, `status ${response.status}`);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}
