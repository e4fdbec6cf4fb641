// STUB: replaced by the module's owner.
import type { Route } from '../core/http-types.js';

export const batchRoutes: Route[] = [];
