// Every directory route (Graph users, guests, groups, domains, licences, extensions, delta).
// Literal paths (/users/delta, /users/$count) sort before /users/{id} in the core's router.
import type { Route } from '../core/http-types.js';
import { deltaRoutes } from './directory-delta.js';
import { domainRoutes } from './domains.js';
import { extensionRoutes } from './extensions.js';
import { memberRoutes } from './groups-members.js';
import { groupRoutes } from './groups.js';
import { invitationRoutes } from './invitations.js';
import { licenseRoutes } from './licenses.js';
import { managerRoutes } from './users-manager.js';
import { userRoutes } from './users.js';

export const directoryRoutes: Route[] = [
  ...deltaRoutes,
  ...userRoutes,
  ...managerRoutes,
  ...extensionRoutes,
  ...licenseRoutes,
  ...invitationRoutes,
  ...groupRoutes,
  ...memberRoutes,
  ...domainRoutes,
];
