/**
 * Manual Fields' Skip Items / Skip When and Resolve CI From Host Name under hostile input, through
 * the node against the emulator: every item accounted for exactly once, nothing sent that should not be.
 */
import { BASIC, routed, runAction, type RunOptions } from '../../../../../helpers/action';
import { buildFromSuite, CI, requestBody } from '../../../../../helpers/alerts';
import { ABEL } from '../../../../../helpers/http';

const { sn, sentBodies, ciLookups } = buildFromSuite();

const SKIP_OK = "={{ $json.NewStateValue === 'OK' }}";
const manual = (
	items: Array<Record<string, unknown>>,
	parameters: Record<string, unknown> = {},
	more: Partial<RunOptions> = {},
) =>
	runAction({
		items,
		credentials: BASIC(sn.url),
		parameters: { source: 'manual', options: { concurrency: 1 }, ...parameters },
		...more,
	});
const skipping = (skipWhen: unknown = SKIP_OK) => ({ skipItems: 'when', skipWhen });
const byHost = (more: Record<string, unknown> = {}) => ({
	resolveCiFromHost: true,
	hostName: '={{ $json.host }}',
	...more,
});
const ALARM = { NewStateValue: 'ALARM', code: '100', host: 'example1' };
const OK = { NewStateValue: 'OK', code: '100', host: 'example2' };
const NO_ENDPOINT =
	'No endpoint field is set: give at least one of Endpoint CI (sys_id), Email, User ID (sys_id) or User Name.';

describe('Skip When', () => {
	it('a mix of ALARM and OK: only the ALARMs are sent, the OKs are Skipped (not looked up), nothing fails', async () => {
		const items = [ALARM, OK, { ...ALARM, host: 'example3' }, OK];
		const { outputs, error } = await manual(items, { ...skipping(), ...byHost() });
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 2], Skipped: [1, 3] });
		expect(sentBodies()).toEqual([
			requestBody({ CI: CI('example1') }, '100'),
			requestBody({ CI: CI('example3') }, '100'),
		]);
		expect(ciLookups()).toEqual(['name=example1', 'name=example3']);
		expect(outputs.Skipped[0].json).toEqual({
			outcome: 'skipped',
			reason: 'Skip When is true for this item: it was not sent.',
			input: OK,
		});
	});

	it.each([
		['perError', { Created: [0], Other: [1], Skipped: [2] }],
		['grouped', { Created: [0], Failed: [1], Skipped: [2] }],
	] as const)('Error Routing %s: a skipped item is never checked', async (routing, expected) => {
		const items = [ALARM, { ...ALARM, host: 'nowhere' }, { NewStateValue: 'OK' }];
		const parameters = { ...skipping(), ...byHost({ ciNotFound: 'fail' }) };
		const { outputs, error } = await manual(items, parameters, { routing });
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual(expected);
		expect(ciLookups()).toEqual(['name=example1', 'name=nowhere']);
	});

	it('Error Routing single: a skipped item that misses every field does not fail the node', async () => {
		const items = [{ ...ALARM, user_name: ABEL.user_name }, { NewStateValue: 'OK' }];
		const { outputs, error } = await manual(items, skipping(), { routing: 'single' });
		expect(error).toBeUndefined();
		expect(Object.keys(outputs)).toEqual(['Created', 'Skipped']);
		expect(routed(outputs)).toEqual({ Created: [0], Skipped: [1] });
		expect(sentBodies()).toEqual([requestBody({ user_name: ABEL.user_name }, '100')]);
	});

	it('Send Mode Batch API and Dry Run: Skipped items stay out of the batch and of the dry run', async () => {
		const items = [ALARM, OK, { ...ALARM, code: '101' }];
		const parameters = { ...skipping(), ...byHost() };
		const batch = await manual(items, { ...parameters, options: { sendMode: 'batch' } });
		expect(routed(batch.outputs)).toEqual({ Created: [0, 2], Skipped: [1] });
		const batches = sn.journal().filter((e) => e.route === 'batch');
		expect(batches).toHaveLength(1);
		expect(batches[0].body).not.toContain(CI('example2'));
		sn.emulator.reset();
		const dry = await manual(items, { ...parameters, options: { dryRun: true } });
		expect(routed(dry.outputs)).toEqual({ Created: [0, 2], Skipped: [1] });
		expect(sn.journal().filter((e) => e.route !== 'table')).toEqual([]);
	});

	it('Skip Items "when" with Skip When left as it is (false): every item is sent, Skipped is empty', async () => {
		const { outputs, error } = await manual([ALARM, OK], { skipItems: 'when', ...byHost() });
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [0, 1] });
		expect(outputs.Skipped).toEqual([]);
	});

	it("a Skip When of 'true' / 'false' text counts as the boolean", async () => {
		const expression = "={{ $json.NewStateValue === 'OK' ? 'true' : 'false' }}";
		const { outputs } = await manual([ALARM, OK], { ...skipping(expression), ...byHost() });
		expect(routed(outputs)).toEqual({ Created: [0], Skipped: [1] });
	});

	it.each([
		[
			'throws',
			"={{ $json.NewStateValue === 'OK' ? $('No Such Node').item.json.x : false }}",
			'Skip When could not be worked out for item 2',
		],
		[
			'gives "yes"',
			"={{ $json.NewStateValue === 'OK' ? 'yes' : false }}",
			'for item 2 it is "yes"',
		],
		['gives a number', "={{ $json.NewStateValue === 'OK' ? 1 : false }}", 'for item 2 it is 1'],
	])(
		'a Skip When that %s for one item fails the node before anything is sent, naming the item and the fix',
		async (_, expression, says) => {
			const items = [{ ...ALARM, skip: false }, OK];
			const { error, run } = await manual(items, { ...skipping(expression), ...byHost() });
			expect(error).toContain(says);
			expect(run.data.resultData.error?.description).toContain('true or false');
			expect(sn.journal()).toEqual([]);
		},
	);
});

it.each([
	['gives undefined', "={{ $json.NewStateValue === 'OK' ? undefined : true }}"],
	['reads a field only some items have', '={{ $json.skip }}'],
	['gives an empty text', "={{ $json.NewStateValue === 'OK' ? '' : true }}"],
])(
	'a Skip When that %s is not true for those items: they are sent, the others skipped',
	async (_, expression) => {
		const items = [{ ...ALARM, skip: true }, OK];
		const { outputs, error } = await manual(items, { ...skipping(expression), ...byHost() });
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Skipped: [0], Created: [1] });
	},
);

describe('Resolve CI From Host Name', () => {
	it('10,000 items of 3 hosts (any case): each host looked up once, every item accounted for once (dry run)', async () => {
		const hosts = ['example1', 'EXAMPLE2', 'example3'];
		const items = Array.from({ length: 10_000 }, (_, k) => ({ code: '100', host: hosts[k % 3] }));
		const { outputs, error } = await manual(items, { ...byHost(), options: { dryRun: true } });
		expect(error).toBeUndefined();
		// Once each, whatever the case it is written in (instances compare names without case).
		expect(ciLookups().map((q) => q.toLowerCase())).toEqual([
			'name=example1',
			'name=example2',
			'name=example3',
		]);
		expect(routed(outputs)).toEqual({ Created: items.map((_, k) => k) });
		const cis = outputs.Created.map(
			(o) => (o.json.request as { endpoint: { CI: string } }).endpoint.CI,
		);
		expect(cis).toEqual(items.map((i) => CI(i.host.toLowerCase())));
	}, 30_000);

	it('an empty host is not looked up: the item misses its endpoint and the node fails before sending', async () => {
		const { error } = await manual([ALARM, { code: '100', host: '' }], byHost());
		expect(error).toBe(NO_ENDPOINT);
		expect(ciLookups()).toEqual(['name=example1']);
		expect(sentBodies()).toEqual([]);
	});

	it('a host with ^ or = is looked up as one escaped value, a lone surrogate well-formed; none found: CI_NOT_FOUND', async () => {
		const items = ['example1^NQname=example2', 'a=b', 'exa\ud800mple1'].map((host) => ({
			code: '100',
			host,
		}));
		const { outputs, error } = await manual(items, byHost({ ciNotFound: 'fail' }));
		expect(error).toBeUndefined();
		expect(ciLookups()).toEqual([
			'name=example1^^NQname=example2',
			'name=a=b',
			'name=exa\ufffdmple1',
		]);
		expect(sn.journal()[2].path).toContain('exa%EF%BF%BDmple1');
		expect(routed(outputs)).toEqual({ Other: [0, 1, 2] });
		expect(outputs.Other.map((o) => o.json.errorCode)).toEqual(Array(3).fill('CI_NOT_FOUND'));
		expect(sentBodies()).toEqual([]);
	});

	it('a host named "javascript:…" and Route as Failed: CI_NOT_FOUND saying it was not looked up', async () => {
		const items = [{ code: '100', host: 'javascript:alert(1)' }];
		const { outputs } = await manual(items, byHost({ ciNotFound: 'fail' }));
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'CI_NOT_FOUND',
			field: 'endpoint.CI',
		});
		expect(outputs.Other[0].json.detail).toContain('it was not looked up');
		expect(ciLookups()).toEqual([]);
	});

	it.each([401, 403])(
		'a CMDB read refused (%s): the node fails naming the fix, nothing sent',
		async (status) => {
			sn.injectFault({ match: { route: 'table' }, count: 0, status });
			const items = [{ ...ALARM, user_name: ABEL.user_name }, ALARM];
			const { error, run } = await manual(items, byHost());
			sn.emulator.clearFaults();
			expect(error).toBe(
				`Looking up the CI of host "example1" was refused (HTTP ${status}); nothing was sent.`,
			);
			expect(run.data.resultData.error?.description).toContain(
				'turn off Resolve CI From Host Name',
			);
			expect(sentBodies()).toEqual([]);
		},
	);

	it('a CMDB lookup failing (500): that item on Other (CI_LOOKUP_FAILED), an item naming a user sent', async () => {
		sn.injectFault({ match: { route: 'table' }, count: 0, status: 500 });
		const items = [ALARM, { code: '100', user_name: ABEL.user_name }];
		const parameters = { ...byHost(), options: { concurrency: 1, maxAttempts: 1 } };
		const { outputs, error } = await manual(items, parameters);
		sn.emulator.clearFaults();
		expect(error).toBeUndefined();
		expect(routed(outputs)).toEqual({ Created: [1], Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({
			errorCode: 'CI_LOOKUP_FAILED',
			sent: false,
			message: 'Looking up the CI of host "example1" failed (HTTP 500): the alert was not sent.',
		});
		expect(sentBodies()).toEqual([requestBody({ user_name: ABEL.user_name }, '100')]);
	});

	it('not found: Route as Failed → Other (CI_NOT_FOUND); Continue Without CI → the node fails naming the host, unless the item names a user', async () => {
		const items = [
			{ code: '100', host: 'nowhere' },
			{ code: '100', host: 'nowhere', user_name: ABEL.user_name },
		];
		const failed = await manual(items, byHost({ ciNotFound: 'fail' }));
		expect(routed(failed.outputs)).toEqual({ Created: [1], Other: [0] });
		expect(failed.outputs.Other[0].json).toMatchObject({ errorCode: 'CI_NOT_FOUND' });
		expect(sentBodies()).toEqual([requestBody({ user_name: ABEL.user_name }, '100')]);
		sn.emulator.reset();
		const go = await manual(items, byHost());
		expect(go.error).toContain(
			'No cmdb_ci_computer record is named "nowhere", and the item names no user',
		);
		expect(sentBodies()).toEqual([]);
		sn.emulator.reset();
		const withUser = await manual([items[1]], byHost());
		expect(routed(withUser.outputs)).toEqual({ Created: [0] });
		expect(withUser.outputs.Created[0].json.ciNotFoundForHost).toBe('nowhere');
	});

	it('a host name of the wrong type (a number, an object) is looked up as its text', async () => {
		const items = [
			{ code: '100', host: 42 },
			{ code: '100', host: { name: 'example1' } },
		];
		const { outputs } = await manual(items, byHost({ ciNotFound: 'fail' }));
		expect(ciLookups()).toEqual(['name=42', 'name={"name":"example1"}']);
		expect(routed(outputs)).toEqual({ Other: [0, 1] });
	});
});
