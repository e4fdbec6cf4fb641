// Exchange section: recipients (mailbox properties, mail users, mail contacts).
// Owned by emulator/exchange/*. STUB: the exchange module fills this in.
export interface ExchangeState {
  recipients: Record<string, unknown>;
}

export function emptyExchange(): ExchangeState {
  return { recipients: {} };
}
