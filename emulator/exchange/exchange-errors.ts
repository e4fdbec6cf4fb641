// The Exchange admin API's error answer. Its exact wire format is undocumented; this follows what
// community clients parse (CIPP's New-ExoRequest and others read error.details[0].message, a
// "ErrorId|ExceptionType|text" string, e.g. "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.
// ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't
// be found on '…'."). The status codes and the top-level message are our plausible choice.
import type { EmuRequest, EmuResponse } from '../core/http-types.js';

export class ExchangeError extends Error {
  constructor(
    readonly status: number,
    readonly errorId: string,
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

export const objectNotFound = (identity: string) =>
  new ExchangeError(404, 'Ex6F9304', 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    `The operation couldn't be performed because object '${identity}' couldn't be found on 'EMULATOR01.PROD.OUTLOOK.COM'.`);

export const ambiguous = (identity: string) =>
  new ExchangeError(400, 'Ex0BE7A9', 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectAmbiguousException',
    `The operation couldn't be performed because '${identity}' matches multiple entries.`);

export const parameterNotFound = (cmdlet: string, name: string) =>
  new ExchangeError(400, 'NamedParameterNotFound', 'System.Management.Automation.ParameterBindingException',
    `A parameter cannot be found that matches parameter name '${name}'. (${cmdlet})`);

export const missingParameter = (cmdlet: string, name: string) =>
  new ExchangeError(400, 'MissingMandatoryParameter', 'System.Management.Automation.ParameterBindingException',
    `Cannot process command because of one or more missing mandatory parameters: ${name}. (${cmdlet})`);

export const invalidParameter = (name: string, detail: string) =>
  new ExchangeError(400, 'ParameterArgumentValidationError', 'System.Management.Automation.ParameterBindingException',
    `Cannot validate argument on parameter '${name}'. ${detail}`);

/** PowerShell's [ValidateLength] refusal (the Name and Alias of a recipient: at most 64 characters). */
export const tooLong = (name: string, max: number) =>
  invalidParameter(name, `The length of the argument is too long. Shorten the length of the argument to less than or equal to "${max}" and then try the command again.`);

export const unknownCmdlet = (name: string) =>
  new ExchangeError(400, 'CommandNotFoundException', 'System.Management.Automation.CommandNotFoundException',
    `The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`);

export const proxyInUse = (address: string, owner: string) =>
  new ExchangeError(400, 'Ex2A7D2B', 'Microsoft.Exchange.Data.DataValidationException',
    `The proxy address "${address}" is already being used by the proxy addresses or LegacyExchangeDN of "${owner}". Please choose another proxy address.`);

export const taskError = (message: string, errorId = 'Ex5C2F11') =>
  new ExchangeError(400, errorId, 'Microsoft.Exchange.Configuration.Tasks.TaskException', message);

export function renderExchangeError(e: ExchangeError, req: EmuRequest): EmuResponse {
  const detail = `${e.errorId}|${e.exceptionType}|${e.message}`;
  return {
    status: e.status,
    headers: { 'request-id': req.requestId, 'x-ms-diagnostics': `2000000;reason="${e.exceptionType}";error_category="invalid_request"` },
    body: {
      error: {
        code: e.status === 404 ? 'NotFound' : 'BadRequest',
        message: 'Error executing cmdlet',
        details: [{ code: 'Context', target: '', message: detail }],
        innererror: {
          message: detail,
          type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
          '@Microsoft.Exchange.Admin.OData.Core.Diagnostics.ErrorCode': e.errorId,
          'request-id': req.requestId,
          date: new Date(req.now).toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      },
    },
  };
}
