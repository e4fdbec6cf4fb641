// Get-HostedOutboundSpamFilterPolicy over HTTPS: the Default policy with the AutoForwardingMode of
// the tenant's config (exchange.autoForwardingMode; Automatic, i.e. blocked, when absent), and the
// config checks of that key. The contoso-fabrikam example allows forwarding in both tenants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, testConfig, type RunningEmulator } from '../../helpers/emulator.js';
import { exchangeInvoke } from '../../helpers/graph.js';
import { ConfigError, parseConfig } from '../../../emulator/config.js';

let emu: RunningEmulator;

test.before(async () => {
  const config = testConfig() as { tenants: Record<string, unknown>[] };
  config.tenants[1]!.exchange = { autoForwardingMode: 'On' };
  emu = await startEmulator(config);
});

test.after(async () => {
  await emu?.stop();
});

test('the Default policy: Automatic when the config says nothing, On when it says On', async () => {
  const contoso = await exchangeInvoke(emu, 'contoso', 'Get-HostedOutboundSpamFilterPolicy', {});
  assert.is(contoso.status, 200, JSON.stringify(contoso.body));
  assert.is(contoso.body.value.length, 1);
  assert.is(contoso.body.value[0].Identity, 'Default');
  assert.is(contoso.body.value[0].IsDefault, true);
  assert.is(contoso.body.value[0].AutoForwardingMode, 'Automatic');
  const fabrikam = await exchangeInvoke(emu, 'fabrikam', 'Get-HostedOutboundSpamFilterPolicy', { Identity: 'Default' });
  assert.is(fabrikam.body.value[0].AutoForwardingMode, 'On');
  const missing = await exchangeInvoke(emu, 'fabrikam', 'Get-HostedOutboundSpamFilterPolicy', { Identity: 'T2T-Forwarding' });
  assert.is(missing.status, 404);
  assert.match(JSON.stringify(missing.body), /ManagementObjectNotFoundException/);
});

test('config: exchange.autoForwardingMode takes Automatic, On or Off (case-insensitive); anything else names the key and line', () => {
  const base = (x: string) => `tenants:\n  - name: c\n    apps: [{ clientId: a, clientSecret: s }]\n    exchange: ${x}\n`;
  assert.is(parseConfig(base('{ autoForwardingMode: off }')).tenants[0]!.exchange!.autoForwardingMode, 'Off');
  assert.is(parseConfig(base('{ mailboxRetentionDays: 7 }')).tenants[0]!.exchange!.autoForwardingMode, 'Automatic');
  try {
    parseConfig(base('{ autoForwardingMode: Sometimes }'), 'emu.yaml');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.ok((e as ConfigError).problems.some((p) => /^tenants\[0\]\.exchange\.autoForwardingMode \(line 4\): must be one of Automatic, On, Off, got 'Sometimes'/.test(p)), (e as ConfigError).problems.join('\n'));
  }
});

test('the contoso-fabrikam example allows automatic forwarding in both tenants', () => {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'examples', 'contoso-fabrikam', 'emulator.yaml');
  const c = parseConfig(readFileSync(file, 'utf8'), file);
  assert.equal(c.tenants.map((t) => t.exchange?.autoForwardingMode), ['On', 'On']);
});

test.run();
