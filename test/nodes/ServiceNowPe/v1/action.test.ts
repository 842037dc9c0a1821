/**
 * The action node's outcomes: every documented error on its branch under each Error Routing, request
 * format and send mode; what the document does not list on Other with the raw answer; items that
 * cannot be sent fail the node, naming the item and the field.
 */
import { DOCUMENTED_ERRORS } from '../../../../contract/errors';
import { startEmulator } from '../../../../emulator/server';
import { BASIC, routed, runAction, type RunOptions } from '../../../helpers/action';
import { ABEL, BETH, DAVID, emulatorForSuite } from '../../../helpers/http';
import { startRedirect } from '../../../helpers/proxy';

const sn = emulatorForSuite({ auth: 'basic' });

/** One input item per documented error (in branch order), plus a created one first. */
const ALL_OUTCOMES = [
	{ user_id: ABEL.sys_id, code: '100', experience_id: 'EXP-A', cpu: '78%' }, // 0 Created
	{ code: '100' }, // 1 Missing Endpoint (not sent)
	{ user_name: 'abel.tuter', code: '' }, // 2 Invalid Issue Code (not sent)
	{ user_name: 'abel.tuter', code: '100', provider: '' }, // 3 Invalid Provider (not sent)
	{ user_name: 'abel.tuter', code: '999' }, // 4 Unknown Issue Code or Provider
	{ user_name: 'abel.tuter', code: '300' }, // 5 No Resolution
	{ user_name: 'nobody', code: '100' }, // 6 Unknown User
	{ ci: ABEL.ci, code: '100' }, // 7 Already Being Resolved (Abel, via his CI)
	{ user_id: BETH.sys_id, code: '101', experience_id: 'EXP-A' }, // 8 Chain Conflict
	{ user_id: DAVID.sys_id, code: '102' }, // 9 Creation Failed (forced)
];

const MODES = [
	['json', 'perItem'],
	['xml', 'perItem'],
	['json', 'batch'],
	['xml', 'batch'],
] as const;

describe.each(MODES)(
	'every documented error lands on its branch (%s requests, send mode %s)',
	(format, sendMode) => {
		beforeEach(() => {
			sn.injectFault({ error: 'CREATION_FAILED', match: { route: 'create', issue_code: '102' } });
		});
		/** Every outcome through the node, one request at a time, in this block's format and send mode. */
		const runAll = (routing: RunOptions['routing'], onError: RunOptions['onError']) =>
			runAction({
				items: ALL_OUTCOMES,
				credentials: BASIC(sn.url),
				routing,
				parameters: { options: { requestFormat: format, concurrency: 1, sendMode } },
				onError,
			});

		it('Output per Documented Error: one output each, in order', async () => {
			const { outputs, error } = await runAll('perError', 'continueRegularOutput');
			expect(error).toBeUndefined();
			expect(routed(outputs)).toEqual({
				Created: [0],
				'Missing Endpoint': [1],
				'Invalid Issue Code': [2],
				'Invalid Provider': [3],
				'Unknown Issue Code or Provider': [4],
				'No Resolution': [5],
				'Unknown User': [6],
				'Already Being Resolved': [7],
				'Chain Conflict': [8],
				'Creation Failed': [9],
			});
			expect(outputs.Created[0].json).toMatchObject({
				outcome: 'created',
				experience_id: 'EXP-A',
				httpStatus: 200,
				attempts: 1,
				request: {
					endpoint: { user_id: ABEL.sys_id },
					issue_code: '100',
					provider: 'sn',
					experience_id: 'EXP-A',
					investigative_details: { cpu_usage: '78%' },
				},
				input: ALL_OUTCOMES[0],
			});
			// Each routed error carries the catalogue code, the instance's words, status, request and input.
			expect(outputs['Unknown User'][0].json).toMatchObject({
				outcome: 'error',
				errorCode: 'USER_NOT_RESOLVED',
				message: DOCUMENTED_ERRORS.USER_NOT_RESOLVED.message,
				detail: DOCUMENTED_ERRORS.USER_NOT_RESOLVED.detail,
				httpStatus: 400,
				sent: true,
				input: ALL_OUTCOMES[6],
			});
			expect(outputs['Missing Endpoint'][0].json).toMatchObject({
				errorCode: 'ENDPOINT_MISSING',
				sent: false,
				field: 'endpoint',
			});
			// What reached the emulator: the 7 sendable items, in the chosen format.
			const creates = sn.journal().filter((e) => e.route === 'create');
			expect(creates).toHaveLength(7);
			expect(creates.every((e) => e.headers['content-type'] === `application/${format}`)).toBe(
				true,
			);
			// Batch API: the 7 creates travelled in one request, each answered on its own.
			expect(sn.journal().filter((e) => e.route === 'batch')).toHaveLength(
				sendMode === 'batch' ? 1 : 0,
			);
			expect(outputs.Created[0].json.sentInBatch).toBe(sendMode === 'batch' ? true : undefined);
		});

		it('Grouped: Created / Already Being Resolved / Fix Input / Failed', async () => {
			const { outputs } = await runAll('grouped', 'continueRegularOutput');
			expect(routed(outputs)).toEqual({
				Created: [0],
				'Already Being Resolved': [7],
				'Fix Input': [1, 2, 3, 4, 5, 6],
				Failed: [8, 9],
			});
		});

		it("Single output: errors go to n8n's error output when the node continues on error", async () => {
			const { outputs } = await runAll('single', 'continueErrorOutput');
			expect(routed(outputs)).toEqual({ Created: [0], Error: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
			expect(outputs.Error[5].json.error).toBe(DOCUMENTED_ERRORS.USER_NOT_RESOLVED.message);
		});
	},
);

describe('failures the document does not list go to Other with the raw answer', () => {
	it('routes an unknown resource and an unreachable instance to Other', async () => {
		const path = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(`${sn.url}/not-here`),
		});
		expect(path.outputs.Other[0].json).toMatchObject({
			errorCode: 'UNKNOWN_RESOURCE',
			httpStatus: 400,
		});

		const closed = await startEmulator({ port: 0 });
		const deadUrl = closed.url;
		await closed.close();
		const dead = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(deadUrl),
			parameters: { options: { maxAttempts: 2, retryBaseDelayMs: 10 } },
		});
		expect(dead.outputs.Other[0].json).toMatchObject({
			errorCode: 'NETWORK_ERROR',
			httpStatus: 0,
			attempts: 2,
		});
		expect(String(dead.outputs.Other[0].json.detail)).toMatch(/ECONNREFUSED/);
	});

	it('answers a redirect instead of following it: Other, with where it pointed; nothing resent', async () => {
		const target = `${sn.url}/api/sn_pren/self_remediation/experience_issue/create`;
		const redirector = await startRedirect(302, target, '<html>moved</html>');
		try {
			const { outputs } = await runAction({
				items: [{ user_id: ABEL.sys_id, code: '100' }],
				credentials: BASIC(redirector.url),
			});
			expect(outputs.Other[0].json).toMatchObject({
				errorCode: 'UNRECOGNISED_ANSWER',
				httpStatus: 302,
				message: 'The instance redirected the request (HTTP 302)',
			});
			expect(String(outputs.Other[0].json.detail)).toContain(`To ${target}.`);
			expect(redirector.seen).toHaveLength(1);
			expect(sn.journal()).toEqual([]);
			expect(sn.issues()).toEqual([]);
		} finally {
			await redirector.close();
		}
	});

	it('sends an unknown 400 message to Other instead of dropping it', async () => {
		sn.injectFault({ status: 500 });
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(sn.url),
			parameters: { options: { maxAttempts: 1 } },
		});
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'SERVER_ERROR', httpStatus: 500 });
	});

	it('does not say an issue may have been created when the connection was refused (nothing arrived)', async () => {
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100', experience_id: 'REFUSED-1' }],
			credentials: BASIC('http://127.0.0.1:1'),
			parameters: { options: { maxAttempts: 2, retryBaseDelayMs: 10 } },
		});
		expect(routed(outputs)).toEqual({ Other: [0] });
		expect(outputs.Other[0].json).toMatchObject({ errorCode: 'NETWORK_ERROR', attempts: 2 });
		expect(outputs.Other[0].json.mayHaveBeenCreated).toBeUndefined();
	});
});

describe('bad items', () => {
	it('fail the node with a message naming the item and the field, sending nothing', async () => {
		const { error, run } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }, { code: '100' }],
			credentials: BASIC(sn.url),
			parameters: { options: { concurrency: 1 } },
		});
		expect(error).toBe(
			'No endpoint field is set: give at least one of Endpoint CI (sys_id), Email, User ID (sys_id) or User Name.',
		);
		const nodeError = run.data.resultData.error as unknown as {
			context?: { itemIndex?: number };
			description?: string;
		};
		expect(nodeError.context?.itemIndex).toBe(1);
		expect(nodeError.description).toMatch(/^Item 2 cannot be sent; nothing was sent\./);
		// Checked before anything leaves: the good item before it was not sent either.
		expect(sn.journal().filter((e) => e.route === 'create')).toEqual([]);
	});

	it("fail the node in single-output mode with the instance's message", async () => {
		const { error, run } = await runAction({
			items: [{ user_name: 'nobody', code: '100' }],
			credentials: BASIC(sn.url),
			routing: 'single',
		});
		expect(error).toBe(
			`ServiceNow refused the experience issue: ${DOCUMENTED_ERRORS.USER_NOT_RESOLVED.message}`,
		);
		expect((run.data.resultData.error as unknown as { description?: string }).description).toMatch(
			/USER_NOT_RESOLVED, HTTP 400/,
		);
	});

	it('take the Instance URL as people type it, and name what is wrong with one it cannot use', async () => {
		// Without its scheme, a local emulator is http:// (an instance name would be https://<name>.service-now.com).
		const typed = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(sn.url.replace('http://', '')),
		});
		expect(routed(typed.outputs)).toEqual({ Created: [0] });
		const { error } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(`ftp://${sn.url.replace('http://', '')}`),
		});
		expect(error).toBe('Instance URL must start with https:// or http:// (got "ftp:").');
	});
});
