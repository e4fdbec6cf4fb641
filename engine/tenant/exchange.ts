// Exchange Online admin REST, the API behind ExchangeOnlineManagement v3: one POST per cmdlet to
// {exchangeBase}/adminapi/beta/{tenantId}/InvokeCommand, answers paged through @odata.nextLink.
// Shares the tenant's transport, budget accounting and retry rules with the Graph facade.
import { interruption, toExchangeError } from './errors.js';
import { budgetedFetch, cachedToken, classify, readResponseBody, throttlePatient, type GraphDeps } from './graph.js';
import { withRetry } from './retry.js';
import { secretsInBody } from './secrets.js';

export interface CmdletOptions {
  /** A cmdlet that is not Get-/Set-/Enable-/Disable- may be repeated after a failure without harm. */
  safe?: boolean;
  /** The object the cmdlet is about (defaults to Parameters.Identity), for error messages. */
  identity?: string;
  /** Objects per page (Prefer: odata.maxpagesize); the service's default otherwise. */
  pageSize?: number;
  signal?: AbortSignal;
  /** Called with each answer's Date header (ms): the service's clock, for readers that keep a
   *  watermark in the service's time (discovery's WhenChangedUTC reads). */
  onServerDate?: (ms: number) => void;
}

export interface ExchangeClient {
  /** Run a cmdlet; returns every object of every page (empty for cmdlets that return nothing). */
  invoke<T = Record<string, unknown>>(cmdlet: string, parameters?: Record<string, unknown>, options?: CmdletOptions): Promise<T[]>;
}

/** Multi-valued add/remove, as the cmdlets take it: EmailAddresses: addRemove({add: ['x500:…']}). */
export function addRemove(change: { add?: readonly string[]; remove?: readonly string[] }): Record<string, unknown> {
  return { '@odata.type': '#Exchange.GenericHashTable', ...(change.add ? { Add: [...change.add] } : {}), ...(change.remove ? { Remove: [...change.remove] } : {}) };
}

/** What the Graph facade needs, plus the tenant id the admin API puts in its URL. */
export interface ExchangeDeps extends GraphDeps {
  tenantId: string;
}

const IDEMPOTENT_VERB = /^(Get|Set|Enable|Disable|Test)-/i;

export function createExchange(deps: ExchangeDeps): ExchangeClient {
  const url = `${deps.endpoints.exchangeBase}/adminapi/beta/${encodeURIComponent(deps.tenantId)}/InvokeCommand`;
  return {
    async invoke<T>(cmdlet: string, parameters: Record<string, unknown> = {}, options: CmdletOptions = {}): Promise<T[]> {
      const identity = options.identity ?? (typeof parameters.Identity === 'string' ? parameters.Identity : undefined);
      const signals = [deps.signal, options.signal].filter((s): s is AbortSignal => Boolean(s));
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
      const budget = deps.budgets.exchange;
      const items: T[] = [];
      let next: string | undefined = url;
      try {
        while (next) {
          const target: string = next;
          const page = (await throttlePatient(deps.retry, signal, () => withRetry(
            async () => {
              const token = await cachedToken(deps.auth, 'exchange');
              const response = await budgetedFetch(deps.transport, budget, target, {
                method: 'POST',
                body,
                headers: {
                  Authorization: `Bearer ${token}`,
                  'Content-Type': 'application/json',
                  Accept: 'application/json',
                  'X-CmdletName': cmdlet,
                  'X-ResponseFormat': 'json',
                  'X-AnchorMailbox': `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${deps.tenantId}`,
                  ...(options.pageSize ? { Prefer: `odata.maxpagesize=${options.pageSize}` } : {}),
                },
                ...(signal ? { signal } : {}),
              });
              const date = options.onServerDate && response.headers.get('date');
              if (date && Number.isFinite(Date.parse(date))) options.onServerDate!(Date.parse(date));
              return readResponseBody(response);
            },
            classify,
            {
              idempotent: IDEMPOTENT_VERB.test(cmdlet) || Boolean(options.safe),
              ...(signal ? { signal } : {}),
              onRetry: (info) => {
                budget.noteRetry();
                deps.log?.({ type: 'retry', tenant: deps.tenant, cmdlet, ...info });
              },
            },
            deps.retry,
          ))) as { value?: T[]; '@odata.nextLink'?: string } | undefined;
          items.push(...(page?.value ?? []));
          next = page?.['@odata.nextLink'];
        }
        return items;
      } catch (e) {
        throw interruption(e, signal) ?? toExchangeError(e, {
          tenant: deps.tenant,
          clientId: deps.clientId,
          method: 'POST',
          url: '/adminapi/beta/InvokeCommand',
          cmdlet,
          ...(identity ? { identity } : {}),
          secrets: [...deps.auth.knownSecrets(), ...secretsInBody(parameters)],
          emulator: deps.endpoints.cloud === 'emulator',
          ...(deps.retry?.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: deps.retry.maxRetryAfterMs } : {}),
        });
      }
    },
  };
}
