// POST /adminapi/beta/{tenant}/InvokeCommand {"CmdletInput":{"CmdletName","Parameters"}}, the REST
// transport of ExchangeOnlineManagement v3. Answers {"@odata.context", value:[…]}, pages long results
// with @odata.nextLink (the client POSTs the same body to it), and -ResultSize's warning in
// @adminapi.warnings. Errors in the admin API's shape (exchange-errors.ts).
import { GraphError, json, type EmuRequest, type EmuResponse, type Route } from '../core/http-types.js';
import { sweepMailboxRetention } from '../store/exchange-state.js';
import { decodeToken, encodeToken } from '../graph/odata.js';
import { Params } from './cmdlet.js';
import { findCmdlet } from './cmdlet-registry.js';
import { ExchangeError, renderExchangeError, unknownCmdlet, invalidParameter } from './exchange-errors.js';
import { resultSize } from './recipient-query.js';

/** Page size of the admin API (Prefer: odata.maxpagesize=N lowers it, as for Graph). */
const PAGE = 1000;

function invoke(req: EmuRequest): EmuResponse {
  try {
    return run(req);
  } catch (e) {
    if (e instanceof ExchangeError) return renderExchangeError(e, req);
    throw e;
  }
}

function run(req: EmuRequest): EmuResponse {
  const t = req.tenant;
  const urlTenant = req.emulator.tenant(req.params.tenant!);
  if (!urlTenant || urlTenant.id !== t.id) {
    throw new GraphError(403, 'Forbidden', `The tenant '${req.params.tenant}' in the URL is not the tenant of the access token.`);
  }
  const body = req.body as { CmdletInput?: { CmdletName?: unknown; Parameters?: unknown } } | undefined;
  const input = body?.CmdletInput;
  if (!input || typeof input.CmdletName !== 'string' || !input.CmdletName) {
    throw invalidParameter('CmdletInput', 'The request body must be {"CmdletInput":{"CmdletName":"<cmdlet>","Parameters":{…}}}.');
  }
  const cmdlet = findCmdlet(input.CmdletName);
  if (!cmdlet) throw unknownCmdlet(input.CmdletName);
  const raw = input.Parameters ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter('Parameters', 'Parameters must be a JSON object.');
  const params = new Params(cmdlet, raw as Record<string, unknown>);
  sweepMailboxRetention(t, req.now);
  const prefer = /odata\.maxpagesize=(\d+)/i.exec(req.headers['prefer'] ?? '');
  const size = prefer ? Math.max(1, Number(prefer[1])) : PAGE;
  const skip = req.query.get('$skiptoken');
  const offset = skip ? decodeToken<{ o: number }>(skip).o : 0;
  let results = cmdlet.run({ t, now: req.now, req, cmdlet: cmdlet.name, window: { offset, size } }, params);
  const warnings: string[] = [];
  if (cmdlet.name.startsWith('Get-')) {
    const limit = resultSize(params);
    if (results.length > limit) {
      results = results.slice(0, limit);
      warnings.push('There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.');
    }
  }
  const value = results.slice(offset, offset + size);
  const base = `${req.baseUrl}/adminapi/beta/${req.params.tenant}`;
  // Date on the emulator's clock (which tests may move), as the service's own clock stamps it:
  // incremental readers take their WhenChangedUTC watermark from it.
  return json(200, {
    '@odata.context': `${base}/$metadata#Collection(Exchange.GenericHashTable)`,
    ...(warnings.length ? { 'adminapi.warnings@odata.type': '#Collection(String)', '@adminapi.warnings': warnings } : {}),
    value,
    ...(offset + size < results.length ? { '@odata.nextLink': `${base}/InvokeCommand?$skiptoken=${encodeToken({ o: offset + size })}` } : {}),
  }, { Date: new Date(req.now).toUTCString() });
}

export const exchangeRoutes: Route[] = [
  { method: 'POST', pattern: '/adminapi/beta/{tenant}/InvokeCommand', roles: ['Exchange.ManageAsApp'], budget: 'exchange', resourceUnits: 1, handler: invoke },
];
