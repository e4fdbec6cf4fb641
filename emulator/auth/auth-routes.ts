// Sign-in endpoints of the emulated identity platform: OpenID metadata, JWKS, and the v2.0 token
// endpoint for client credentials (client secret, or a client assertion signed by a certificate
// registered for the app, as msal-node 7 builds it: PS256 + x5t#S256, or RS256 + x5t).
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { json, type EmuRequest, type Route } from '../core/http-types.js';
import type { AppRegistration, TenantState } from '../store/tenant-state.js';
import { decodeJwt, verifyJwtSignature } from './jwt.js';
import { aadError, tenantNotFound } from './aad-errors.js';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
export const EXCHANGE_AUDIENCE = 'https://outlook.office365.com';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const EXCHANGE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
export const TOKEN_LIFETIME_S = 3599;

/** Roles that belong to Exchange Online's resource rather than Graph's. */
const isExchangeRole = (r: string) => /^Exchange\./i.test(r) || r === 'full_access_as_app';

function tenantOf(req: EmuRequest): TenantState {
  const name = req.params.tenant ?? '';
  const t = req.emulator.tenant(name);
  if (!t) throw tenantNotFound(name, req.headers['client-request-id']);
  return t;
}

function metadata(req: EmuRequest) {
  const t = tenantOf(req);
  const base = `${req.baseUrl}/${t.id}`;
  return json(200, {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${req.baseUrl}/${t.id}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${req.baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'roles', 'appid'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  });
}

function keys(req: EmuRequest) {
  tenantOf(req);
  const signer = req.emulator.signer;
  return json(200, { keys: signer ? [signer.jwk()] : [] });
}

function formOf(req: EmuRequest): URLSearchParams {
  const ct = req.headers['content-type'] ?? '';
  if (!ct.includes('application/x-www-form-urlencoded')) {
    throw aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.", req.headers['client-request-id']);
  }
  return new URLSearchParams(req.rawBody.toString('utf8'));
}

/** sha256 and sha1 thumbprints (base64url, as in x5t#S256 / x5t) of an app's certificates. */
const thumbprints = new WeakMap<AppRegistration, { s256: string; s1: string; cert: X509Certificate }[]>();
function certsOf(app: AppRegistration) {
  let list = thumbprints.get(app);
  if (!list) {
    list = (app.certificates ?? []).map((pem) => {
      const cert = new X509Certificate(pem);
      return { s256: createHash('sha256').update(cert.raw).digest('base64url'), s1: createHash('sha1').update(cert.raw).digest('base64url'), cert };
    });
    thumbprints.set(app, list);
  }
  return list;
}

function checkAssertion(req: EmuRequest, t: TenantState, app: AppRegistration, assertion: string, corr: string | undefined): void {
  const fail = (code: number, text: string) => aadError(401, 'invalid_client', code, text, corr);
  const jwt = decodeJwt(assertion);
  if (!jwt) throw fail(50027, 'JWT token is invalid or malformed.');
  const h = jwt.header;
  const tp = typeof h['x5t#S256'] === 'string' ? { kind: 's256' as const, v: h['x5t#S256'] as string } : typeof h.x5t === 'string' ? { kind: 's1' as const, v: h.x5t as string } : undefined;
  if (!tp) throw fail(700027, "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '']");
  if ((tp.kind === 's256' && h.alg !== 'PS256') || (tp.kind === 's1' && h.alg !== 'RS256' && h.alg !== 'PS256')) {
    throw fail(5002738, `Invalid JWT token. '${String(h.alg)}' is not a supported signature algorithm.`);
  }
  const registered = certsOf(app).find((c) => c[tp.kind] === tp.v);
  if (!registered) {
    throw fail(700027, `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${Buffer.from(tp.v, 'base64url').toString('hex').toUpperCase()}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.]`);
  }
  if (!verifyJwtSignature(jwt, registered.cert.publicKey)) {
    throw fail(700027, 'Client assertion failed signature validation.');
  }
  const p = jwt.payload;
  if (p.iss !== app.clientId || p.sub !== app.clientId) {
    throw fail(700023, 'Client assertion audience claim does not match Realm issuer.');
  }
  // aud must be this token endpoint; the tenant segment may be the GUID or any of its domains.
  let audOk = false;
  try {
    const aud = new URL(String(p.aud));
    const m = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/.exec(aud.pathname);
    audOk = aud.host === new URL(req.baseUrl).host && !!m && req.emulator.tenant(decodeURIComponent(m[1]!)) === t;
  } catch {
    audOk = false;
  }
  if (!audOk) throw fail(700212, `No matching federated identity record found for presented assertion audience '${String(p.aud)}'.`);
  const nowS = Math.floor(Date.now() / 1000);
  if (typeof p.exp !== 'number' || p.exp < nowS - 300 || (typeof p.nbf === 'number' && p.nbf > nowS + 300)) {
    throw fail(700024, 'Client assertion is not within its valid time range.');
  }
}

/** Token requests answered so far by each emulator, for faults.signInFailures. */
const tokenRequests = new WeakMap<object, number>();

function token(req: EmuRequest) {
  const corr = req.headers['client-request-id'];
  const seen = tokenRequests.get(req.emulator) ?? 0;
  tokenRequests.set(req.emulator, seen + 1);
  if (seen < req.emulator.config.faults.signInFailures) {
    const e = aadError(503, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again. (injected by faults.signInFailures)', corr);
    e.response.headers = { ...e.response.headers, 'Retry-After': String(Math.max(0.001, req.emulator.config.limits?.timeScale ?? 1)) };
    throw e;
  }
  const t = tenantOf(req);
  const form = formOf(req);
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') {
    throw aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'. The emulator supports client_credentials only.`, corr);
  }
  // client_secret_basic: credentials in the Authorization header.
  let clientId = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [u, pw] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    clientId ??= decodeURIComponent(u ?? '');
    secret ??= decodeURIComponent(pw ?? '');
  }
  if (!clientId) throw aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.", corr);
  const app = req.emulator.app(t, clientId);
  if (!app) {
    throw aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${t.name}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`, corr);
  }
  const assertion = form.get('client_assertion');
  if (assertion) {
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      throw aadError(400, 'invalid_request', 50027, "Invalid client_assertion_type: expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.", corr);
    }
    checkAssertion(req, t, app, assertion, corr);
  } else if (secret !== undefined) {
    if (!app.clientSecret || secret !== app.clientSecret) {
      throw aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`, corr);
    }
  } else {
    throw aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", corr);
  }
  const scopes = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
  const resource = scopes.find((s) => s.endsWith('/.default'))?.slice(0, -'/.default'.length);
  let aud: string;
  if (resource === GRAPH_AUDIENCE || resource === GRAPH_APP_ID || resource === `${GRAPH_AUDIENCE}/`) aud = GRAPH_AUDIENCE;
  else if (resource === EXCHANGE_AUDIENCE || resource === EXCHANGE_APP_ID || resource === `${EXCHANGE_AUDIENCE}/`) aud = EXCHANGE_AUDIENCE;
  else {
    throw aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scopes.join(' ') || '(none)'} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, corr);
  }
  const roles = app.roles.filter((r) => (aud === EXCHANGE_AUDIENCE ? isExchangeRole(r) : !isExchangeRole(r)));
  const signer = req.emulator.signer;
  if (!signer) throw new Error('the emulator has no token signing key');
  // Token lifetimes follow the wall clock (as msal-node's cache does), not the shiftable test clock.
  const iat = Math.floor(Date.now() / 1000);
  const servicePrincipal = `sp-${createHash('sha256').update(`${t.id}/${app.clientId}`).digest('hex').slice(0, 24)}`;
  const access = signer.sign({
    aud,
    iss: `https://sts.windows.net/${t.id}/`,
    iat,
    nbf: iat,
    exp: iat + TOKEN_LIFETIME_S,
    appid: app.clientId,
    appidacr: assertion ? '2' : '1',
    idp: `https://sts.windows.net/${t.id}/`,
    idtyp: 'app',
    oid: servicePrincipal,
    sub: servicePrincipal,
    roles,
    tid: t.id,
    uti: randomUUID(),
    ver: '1.0',
  });
  return json(200, { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S, ext_expires_in: TOKEN_LIFETIME_S, access_token: access }, { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' });
}

function instanceDiscovery(req: EmuRequest) {
  const host = new URL(req.baseUrl).host;
  return json(200, {
    tenant_discovery_endpoint: `${req.baseUrl}/${req.params.tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

export const authRoutes: Route[] = [
  { method: 'GET', pattern: '/{tenant}/v2.0/.well-known/openid-configuration', anonymous: true, budget: 'none', handler: metadata },
  { method: 'GET', pattern: '/{tenant}/.well-known/openid-configuration', anonymous: true, budget: 'none', handler: metadata },
  { method: 'GET', pattern: '/{tenant}/discovery/v2.0/keys', anonymous: true, budget: 'none', handler: keys },
  { method: 'GET', pattern: '/{tenant}/discovery/keys', anonymous: true, budget: 'none', handler: keys },
  { method: 'GET', pattern: '/{tenant}/discovery/instance', anonymous: true, budget: 'none', handler: instanceDiscovery },
  { method: 'POST', pattern: '/{tenant}/oauth2/v2.0/token', anonymous: true, budget: 'none', handler: token },
];
