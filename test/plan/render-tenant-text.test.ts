// Tenant text is shown, never obeyed: a source user whose display name and mail hold newlines,
// backticks, an ESC and U+2028 still gives one line per change in the text plan and cannot close
// the markdown plan's code fence or inject markdown; the JSON (the machine contract) keeps the
// original strings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPlan } from '../../engine/plan/build-plan.js';
import { displaySafe } from '../../engine/plan/display-safe.js';
import { renderStatusText } from '../../engine/apply/status-report.js';
import { codeSpan, htmlText, markdownText } from '../../engine/plan/markdown-escape.js';
import type { ObservedPhase, Plan } from '../../engine/plan/model.js';
import { renderPlanJson } from '../../engine/plan/render-json.js';
import { renderPlanMarkdown } from '../../engine/plan/render-markdown.js';
import { renderPlanText } from '../../engine/plan/render-text.js';
import { content, inventory, mailbox, NOW, project, REVISION, sku, tenant, user, wave } from '../fixtures/inventories/builders.js';

const INJECTED = '**INJECTED** [click](https://evil.example)';
const DISPLAY_NAME = `Mallory\n\`\`\`\n${INJECTED}\n\`\`\`\u001b[2J\u2028end`;
const MAIL = 'mallory\n```\u001b[31m\u2028@contoso.com';

/** A synced wave of one source user: creates, a contact named after the user, a forward to the
 *  mail, a content sync; `over` replaces the display name and mail. */
function planOf(over: { displayName?: string; mail?: string } = {}): Plan {
  const u = user('mallory@contoso.com', { id: 'src-mallory', ...over });
  return buildPlan({
    project: project([wave('wave-01', 'synced', ['mallory@contoso.com'])]),
    inventory: inventory(
      tenant('contoso', { users: [u], recipients: [mailbox(u)], content: new Map([['src-mallory', content(1000)]]) }),
      tenant('fabrikam', { skus: [sku('EXCHANGESTANDARD', 10, 2)] }),
    ),
    revision: REVISION,
    now: NOW,
  });
}

const hostile = () => planOf({ displayName: DISPLAY_NAME, mail: MAIL });
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const changeLines = (text: string) => text.split('\n').filter((l) => /^    [-+~>] /.test(l));
const fenceLines = (md: string) => md.split('\n').filter((l) => /^ {0,3}(`{3,}|~{3,})/.test(l));

test('displaySafe: control characters escaped, other text as it is', () => {
  assert.is(displaySafe('Zoë 田中 <zoe@contoso.com> 🚀'), 'Zoë 田中 <zoe@contoso.com> 🚀');
  assert.is(displaySafe('a\nb\rc\td'), 'a\\nb\\rc\\td');
  assert.is(displaySafe('\u0000\u001b[2J\u007f\u0085\u009b'), '\\x00\\x1b[2J\\x7f\\x85\\x9b');
  assert.is(displaySafe('x\u2028y\u2029z'), 'x\\u2028y\\u2029z');
  // bidirectional controls could make a line read otherwise than it is
  assert.is(displaySafe('evil\u202egnp.exe\u2066x\u2069\u200f'), 'evil\\u202egnp.exe\\u2066x\\u2069\\u200f');
});

test('markdown escapes: text, HTML and code spans show the value literally', () => {
  assert.is(markdownText('alice@contoso.com'), 'alice@contoso.com');
  assert.is(markdownText(INJECTED), '\\*\\*INJECTED\\*\\* \\[click\\](https://evil.example)');
  assert.is(markdownText('<img src=x> & | ~~s~~ _e_ $x$ `c` \\'), '&lt;img src=x&gt; &amp; \\| \\~\\~s\\~\\~ \\_e\\_ \\$x\\$ \\`c\\` \\\\');
  // what cannot take a meaning is left as it is: `_` inside a word, `#` not before a digit
  assert.is(markdownText('first_last_fabrikam.com#EXT#@fabrikam.onmicrosoft.com'), 'first_last_fabrikam.com#EXT#@fabrikam.onmicrosoft.com');
  assert.is(markdownText('_a b_ see #12'), '\\_a b\\_ see \\#12');
  // a mention would notify that user or team; an address is no mention
  assert.is(markdownText('cc @octo-org/admins and @alice, not bob@contoso.com'), 'cc \\@octo-org/admins and \\@alice, not bob@contoso.com');
  assert.is(markdownText('# title'), '\\# title');
  assert.is(markdownText('- item'), '\\- item');
  assert.is(markdownText('12. item'), '12\\. item');
  assert.is(markdownText('a\nb'), 'a\\\\nb'); // the escape's backslash escaped: shown as a\nb
  assert.is(htmlText('<b>&x</b>\n'), '&lt;b&gt;&amp;x&lt;/b&gt;\\n');
  assert.is(codeSpan('alice@contoso.com'), '`alice@contoso.com`');
  assert.is(codeSpan('a`b``c'), '```a`b``c```');
  assert.is(codeSpan('`x'), '`` `x ``');
  assert.is(codeSpan('a\n```'), '```` a\\n``` ````');
});

test('text: each change on one line, the escapes visible, nothing raw reaches the terminal', () => {
  const plan = hostile();
  const text = renderPlanText(plan);
  assert.not.match(text, RAW);
  assert.is(changeLines(text).length, plan.changes.length);
  assert.is(changeLines(text).length, changeLines(renderPlanText(planOf())).length);
  assert.is(text.split('\n').length, renderPlanText(planOf()).split('\n').length);
  assert.ok(text.includes('\n  mallory\\n```\\x1b[31m\\u2028@contoso.com\n'), 'the user heading on one line');
  assert.ok(text.includes(`    + create contact Mallory\\n\`\`\`\\n${INJECTED}\\n\`\`\`\\x1b[2J\\u2028end <mallory\\n\`\`\`\\x1b[31m\\u2028@contoso.com> routing to the source mailbox\n`));
  assert.not.ok(text.split('\n').some((l) => l.startsWith('**INJECTED**') || l === '```'));
});

test('markdown: the fences are the renderer’s own and no injected line or markup comes through', () => {
  const md = renderPlanMarkdown(hostile());
  const clean = renderPlanMarkdown(planOf());
  assert.is(fenceLines(md).length, fenceLines(clean).length);
  assert.equal(fenceLines(md), ['```diff', '```']);
  assert.is(md.split('\n').length, clean.split('\n').length);
  assert.not.match(md, RAW);
  assert.not.ok(md.split('\n').some((l) => l.startsWith('**INJECTED**')));
  assert.ok(md.includes('\n# mallory\\n```\\x1b[31m\\u2028@contoso.com\n'));
  assert.ok(md.includes(`\n+ create contact Mallory\\n\`\`\`\\n${INJECTED}\\n\`\`\`\\x1b[2J\\u2028end <mallory\\n`));
});

test('refused, orphans, warnings and a refusal: one line each, escaped in text and markdown', () => {
  const bad = `x\n\`\`\`\n${INJECTED}\u001b]8;;https://evil.example\u0007`;
  const plan: Plan = {
    ...hostile(),
    refused: [{ user: MAIL, wave: 'wave-01', reason: bad }],
    orphans: [{ tenant: 'fabrikam', resource: 'targetUser', object: `target user ${MAIL}`, reason: bad }],
    warnings: [bad],
    refusal: { code: 'T2T_PLAN_TOO_MANY_DELETES', message: bad, hint: bad },
  };
  const text = renderPlanText(plan);
  assert.not.match(text, RAW);
  assert.ok(text.includes('\n  mallory\\n```\\x1b[31m\\u2028@contoso.com (wave-01): x\\n```\\n**INJECTED** [click](https://evil.example)\\x1b]8;;https://evil.example\\x07\n'));
  assert.not.ok(text.split('\n').some((l) => l.startsWith('**INJECTED**') || l === '```'));

  const md = renderPlanMarkdown(plan);
  assert.not.match(md, RAW);
  assert.equal(fenceLines(md), ['```diff', '```']);
  assert.not.ok(md.split('\n').some((l) => l.includes('**INJECTED**') && !l.startsWith('+ ')), 'markup only inside the fence');
  // as written in the markdown (String.raw keeps each backslash): every escape's backslash and
  // every markdown-active character escaped, so it renders as the text plan shows it
  const shown = String.raw`x\\n\`\`\`\\n\*\*INJECTED\*\* \[click\](https://evil.example)\\x1b\]8;;https://evil.example\\x07`;
  assert.ok(md.includes(`\n> **Refused:** ${shown}\n`));
  assert.ok(md.includes('\n- ````mallory\\n```\\x1b[31m\\u2028@contoso.com````: ' + shown + '\n'), 'the user in a code span its backticks cannot close');
  assert.ok(md.includes(`\n- fabrikam: target user ${String.raw`mallory\\n\`\`\`\\x1b\[31m\\u2028@contoso.com`}: ${shown}\n`));
  assert.ok(md.includes(`\n- ${shown}\n`));
});

test('JSON: the original strings, unescaped', () => {
  const plan = hostile();
  const j = JSON.parse(renderPlanJson(plan)) as { changes: { user: string; summary: string }[] };
  assert.ok(j.changes.every((c) => c.user === MAIL));
  assert.ok(j.changes.some((c) => c.summary === `create contact ${DISPLAY_NAME} <${MAIL}> routing to the source mailbox`));
  assert.equal(j.changes, JSON.parse(JSON.stringify(plan.changes)));
});

test('status text: each user on one line, the escapes visible', () => {
  const text = renderStatusText({
    project: 'p',
    waves: [{ name: 'w1', phase: 'prepared', paused: false, conditions: [], users: [{ source: 'a\n```\u001b[2J@contoso.com', target: 'b\u202e@fabrikam.com', phase: 'prepared', declared: 'prepared', error: null, conditions: [] }] }],
  });
  assert.is(text, 'wave w1: declared prepared, 1 user\n  a\\n```\\x1b[2J@contoso.com  prepared         b\\u202e@fabrikam.com\n');
});

test('status text: the columns stay apart for every observed phase, cutover-partial the longest', () => {
  const user = (source: string, phase: ObservedPhase, target: string | null) => ({ source, target, phase, declared: 'cutover' as const, error: null, conditions: [] });
  const text = renderStatusText({
    project: 'p',
    waves: [{ name: 'w1', phase: 'cutover', paused: true, conditions: [], users: [user('alice@contoso.com', 'cutover-partial', 'alice@fabrikam.com'), user('bob@contoso.com', 'unmatched', null)] }],
  });
  assert.is(text, ['wave w1: declared cutover (paused), 2 users', '  alice@contoso.com  cutover-partial  alice@fabrikam.com', '  bob@contoso.com    unmatched        -', ''].join('\n'));
});

test.run();
