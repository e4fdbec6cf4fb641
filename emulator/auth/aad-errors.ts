// The identity platform's error body (what msal-node parses into its ServerError):
// {error, error_description: "AADSTSnnn: …", error_codes, timestamp, trace_id, correlation_id, error_uri}.
import { randomUUID } from 'node:crypto';
import { RawErrorResponse } from '../core/errors.js';

export function aadError(status: number, error: string, aadsts: number, description: string, correlationId?: string): RawErrorResponse {
  const traceId = randomUUID();
  const corr = correlationId ?? randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return new RawErrorResponse({
    status,
    headers: { 'x-ms-request-id': traceId },
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${corr} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: corr,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    },
  });
}

export const tenantNotFound = (tenant: string, corr?: string) =>
  aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`, corr);
