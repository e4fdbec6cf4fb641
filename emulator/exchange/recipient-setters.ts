// Parameters several Set-/New- cmdlets share: CustomAttribute1-15, HiddenFromAddressListsEnabled,
// DisplayName, EmailAddresses.
import type { Recipient } from '../store/exchange-state.js';
import { CUSTOM_ATTRIBUTES, type CmdletContext, type Params } from './cmdlet.js';
import { applyEmailAddresses } from './addresses.js';

export const COMMON_SET_PARAMETERS = ['Identity', 'HiddenFromAddressListsEnabled', 'EmailAddresses', 'DisplayName', ...CUSTOM_ATTRIBUTES];

export function applyCommonSetters(ctx: CmdletContext, r: Recipient, p: Params): void {
  if (p.has('EmailAddresses')) applyEmailAddresses(ctx.t, r, p.raw('EmailAddresses'));
  const hidden = p.bool('HiddenFromAddressListsEnabled');
  if (hidden !== undefined) r.hiddenFromAddressListsEnabled = hidden;
  const dn = p.str('DisplayName');
  if (dn) r.displayName = dn;
  for (const a of CUSTOM_ATTRIBUTES) if (p.has(a)) r.customAttributes[a] = p.str(a) ?? null;
}
