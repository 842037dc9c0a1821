/**
 * A read the instance refuses for want of a role (the emulator answers 403 "User Not Authorized",
 * "User is unauthorized to access table: …", as an instance does) names the role to give: the
 * trigger's poll, Get, the pickers, and an item whose recovery read was refused is flagged, not
 * guessed. The user pe.createonly may create but not read.
 */
import {
	ACTION_TYPE,
	API_CREDENTIAL,
	BASIC,
	actionV1,
	basicStore,
	runAction,
} from '../../../../helpers/action';
import { ABEL, emulatorForSuite } from '../../../../helpers/http';
import {
	buildWorkflow,
	loadOptionsContext,
	nodeTypesOf,
	pollContext,
	workflowNode,
} from '../../../../helpers/n8n';
import { TRIGGER_TYPE, trigger, triggerNodeTypes } from '../../../../helpers/trigger';

const sn = emulatorForSuite({ auth: 'basic' });
const CREATE_ONLY = ['pe.createonly', 'createonly'] as const;
const READ_ROLE =
	'give it the role sn_pren.experience_issue_read (contained in sn_pren.engagement_admin)';

describe('a refused read names the role to give', () => {
	it("the trigger's poll fails, saying which role reads sn_pren_experience_issue", async () => {
		const node = workflowNode(
			TRIGGER_TYPE,
			'PE Trigger',
			{ event: 'issueCreated' },
			{ credentials: API_CREDENTIAL },
		);
		const workflow = buildWorkflow({ nodes: [node], connections: {} }, triggerNodeTypes);
		const context = pollContext(
			workflow,
			'PE Trigger',
			basicStore(sn.url, ...CREATE_ONLY),
			'manual',
		);
		const failure = await trigger.poll.call(context).then(
			() => undefined,
			(e: { message: string; description?: string }) => e,
		);
		expect(failure?.message).toBe('Reading sn_pren_experience_issue failed (HTTP 403).');
		expect(failure?.description).toContain(READ_ROLE);
		expect(failure?.description).toContain(
			'"User Not Authorized: User is unauthorized to access table: sn_pren_experience_issue"',
		);
	});

	it('Get fails with the role to give', async () => {
		const { error, run } = await runAction({
			items: [{}],
			credentials: BASIC(sn.url, ...CREATE_ONLY),
			parameters: { operation: 'get', issueId: 'anything' },
		});
		expect(error).toBe('Reading the experience issue failed (HTTP 403).');
		expect((run.data.resultData.error as { description?: string }).description).toContain(
			READ_ROLE,
		);
	});

	it('the Issue Code picker says which roles read the registry, and that a value can be entered by ID', async () => {
		const node = workflowNode(ACTION_TYPE, 'PE', {}, { credentials: API_CREDENTIAL });
		const workflow = buildWorkflow(
			{ nodes: [node], connections: {} },
			nodeTypesOf({ [ACTION_TYPE]: actionV1 }),
		);
		const context = loadOptionsContext(workflow, 'PE', basicStore(sn.url, ...CREATE_ONLY));
		const failure = await actionV1.methods.listSearch.issueCodeSearch.call(context).then(
			() => undefined,
			(e: { message: string; description?: string }) => e,
		);
		expect(failure?.message).toBe('Reading sn_pren_issue_registry for the list failed (HTTP 403).');
		expect(failure?.description).toMatch(
			/give it one of the roles sn_pren\.issue_registry_template_write, sn_pren\.issue_registry_write, sn_pren\.experience_issue_read \(all contained in sn_pren\.engagement_admin\)\. You can also enter the value By ID\.$/,
		);
	});

	it('an item whose answer was lost, and whose recovery read is refused, is flagged with the role to give (not guessed)', async () => {
		sn.injectFault({ drop: 'after', match: { route: 'create' } });
		const { outputs } = await runAction({
			items: [{ user_id: ABEL.sys_id, code: '100' }],
			credentials: BASIC(sn.url, ...CREATE_ONLY),
			parameters: { options: { maxAttempts: 2, retryBaseDelayMs: 10 } },
		});
		// The resend is answered "already being resolved" (the lost attempt made the issue): no read could prove it ours.
		const [item] = Object.values(outputs).flat();
		expect(item.json).toMatchObject({
			mayHaveBeenCreated: true,
			recoveryReadRefused: expect.stringContaining(READ_ROLE),
		});
		expect(sn.issues()).toHaveLength(1);
	});
});
