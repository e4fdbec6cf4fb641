// The record the state tests store: small, with a key (id), a string and a number.
export interface User {
  id: string;
  upn: string;
  n: number;
}

/** User i, its number n (i unless given). */
export const user = (i: number, n = i): User => ({ id: `id-${i}`, upn: `user${i}@contoso.com`, n });
