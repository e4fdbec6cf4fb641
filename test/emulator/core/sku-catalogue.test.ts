// One SKU catalogue (emulator/graph/licenses-catalogue.ts) behind the config's licences, the
// generator and the Exchange-plan checks: real ids and plans for every catalogued SKU, a stable
// made-up id with an Exchange plan for an unknown one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tenantFromConfig } from '../../../emulator/store/emulator-state.js';
import { SKU_CATALOGUE, hasExchangePlan, skuCatalogEntry } from '../../../emulator/graph/licenses-catalogue.js';

const tenant = (skus: string[]) =>
  tenantFromConfig({ name: 'contoso', domains: [], apps: [{ clientId: 'app', clientSecret: 's', roles: [] }], licenses: skus.map((sku) => ({ sku, units: 3 })), users: [], groups: [] });

test('every catalogued SKU reaches subscribedSkus with its real id and plans', () => {
  const parts = Object.keys(SKU_CATALOGUE);
  const t = tenant(parts.map((p) => p.toLowerCase()));
  for (const part of parts) {
    const sub = t.directory.skus.find((s) => s.skuPartNumber === part);
    assert.ok(sub, part);
    assert.is(sub!.skuId, SKU_CATALOGUE[part]!.skuId, part);
    assert.equal(sub!.servicePlans.map((p) => p.servicePlanId), SKU_CATALOGUE[part]!.plans.map(([, id]) => id), part);
    assert.is(sub!.id, `${t.id}_${sub!.skuId}`);
  }
  const flow = t.directory.skus.find((s) => s.skuPartNumber === 'FLOW_FREE')!;
  assert.is(flow.skuId, 'f30db892-07e9-47e9-837c-80727f46fd3d');
  assert.not.ok(hasExchangePlan(flow), 'a catalogued SKU without Exchange gives no mailbox');
  assert.is(skuCatalogEntry(SKU_CATALOGUE.SPE_E3!.skuId).skuPartNumber, 'SPE_E3', 'found by id too');
});

test('an unknown SKU gets a stable made-up id and an Exchange plan', () => {
  const a = skuCatalogEntry('CONTOSO_CUSTOM');
  assert.equal(skuCatalogEntry('contoso_custom'), a);
  assert.match(a.skuId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const sub = tenant(['CONTOSO_CUSTOM']).directory.skus[0]!;
  assert.is(sub.skuId, a.skuId);
  assert.ok(hasExchangePlan(sub));
});

test.run();
