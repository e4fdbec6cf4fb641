// Every route the emulator serves: each API area exports its own list (emulator-shared notes).
import type { Route } from './http-types.js';
import { authRoutes } from '../auth/auth-routes.js';
import { directoryRoutes } from '../graph/directory-routes.js';
import { contentRoutes } from '../graph/content-routes.js';
import { exchangeRoutes } from '../exchange/exchange-routes.js';
import { batchRoutes } from '../graph/batch.js';
import { adminRoutes } from './admin-routes.js';

export function allRoutes(): Route[] {
  return [...authRoutes, ...adminRoutes, ...batchRoutes, ...directoryRoutes, ...contentRoutes, ...exchangeRoutes];
}
