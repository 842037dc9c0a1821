/**
 * The action node as an AI agent's tool, called through n8n-core's own two tool paths. AI Agent
 * 1.x/2.x: the agent's `getInputConnectionData(ai_tool)` builds the tool (createNodeAsTool, $fromAI
 * schema) and each `invoke` runs the node in a SupplyDataContext, of whose outputs n8n hands the
 * agent only the first. AI Agent 3.x: the agent returns an EngineRequest, the engine runs the tool
 * node as an ordinary node execution (ExecuteContext, `isToolExecution()` false) and resumes the
 * agent with the node's run, of which the agent reads only `ai_tool[0]`. Every outcome must be
 * there, saying what happened and what to do next.
 */
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
} from 'n8n-workflow';
import { DOCUMENTED_ERRORS, PLATFORM_ERRORS } from '../../../../../contract/errors';
import { runsAsAgentTool } from '../../../../../nodes/ServiceNowPe/v1/actions/agentTool';
import { ACTION_TYPE, basicStore, runAction } from '../../../../helpers/action';
import {
	TOOL_TYPE,
	callTool as callToolAt,
	callToolThroughEngine as callToolThroughEngineAt,
} from '../../../../helpers/agent';
import { emulatorForSuite } from '../../../../helpers/http';
import { workflowNode } from '../../../../helpers/n8n';

const sn = emulatorForSuite({ auth: 'basic' });

/** What a model fills in for a tool parameter (n8n's `$fromAI`). */
const fromAI = (key: string, description: string) =>
	`={{ $fromAI('${key}', '${description}', 'string') }}`;
const locator = (value: string) => ({ __rl: true, mode: 'id', value });

const CREATE_PARAMETERS = {
	operation: 'create',
	endpointUserName: fromAI('user_name', 'The user name of the person whose device has the problem'),
	issueCode: locator(fromAI('issue_code', 'The issue code of the problem')),
	provider: locator('sn'),
};

const EXPERIENCE_ID = fromAI('experience_id', 'The experience_id of the issue');
const GET_PARAMETERS = { operation: 'get', issueId: EXPERIENCE_ID };

/** Two calls creating the same issue. */
const SAME_ISSUE_TWICE = [
	{ user_name: 'abel.tuter', issue_code: '101' },
	{ user_name: 'abel.tuter', issue_code: '101' },
];

/** The agent's answers to two calls creating the same issue: created with what to do next, then already being resolved. */
function expectCreatedThenBeingResolved(created: IDataObject, again: IDataObject): void {
	const id = sn.issues()[0].experience_id;
	expect(created).toMatchObject({
		outcome: 'created',
		experience_id: id,
		branch: 'Created',
		sent: true,
	});
	expect(String(created.message)).toContain(id);
	expect(String(created.nextStep)).toMatch(/action_wait.*Chain/);
	expect(again).toMatchObject({
		outcome: 'error',
		errorCode: 'BEING_RESOLVED',
		branch: 'Already Being Resolved',
		message: DOCUMENTED_ERRORS.BEING_RESOLVED.message,
		nextStep: DOCUMENTED_ERRORS.BEING_RESOLVED.nextStep,
	});
}

const callTool = (parameters: Record<string, unknown>, calls: IDataObject[]) =>
	callToolAt(sn.url, parameters, calls);
const callToolThroughEngine = (parameters: Record<string, unknown>, calls: IDataObject[]) =>
	callToolThroughEngineAt(sn.url, parameters, calls);

describe('as an AI agent tool', () => {
	it('Check Setup as a tool: the agent gets one pass / fail item per check, for the issue code it asks about', async () => {
		const answers = await callTool(
			{
				operation: 'checkSetup',
				checkFor: { issueCode: fromAI('issue_code', 'The issue code to check') },
			},
			[{ issue_code: '100' }, { issue_code: '300' }],
		);
		const of = (answer: IDataObject[]) =>
			Object.fromEntries(answer.map((c) => [c.check, c.status]));
		expect(of(answers[0])).toEqual({
			instance: 'pass',
			readRole: 'pass',
			createRole: 'pass',
			provider: 'pass',
			issueCode: 'pass',
			batchApi: 'pass',
		});
		expect(of(answers[1]).issueCode).toBe('fail');
		expect(answers[1].find((c) => c.check === 'issueCode')?.fix).toMatch(/Configure a resolution/);
		expect(sn.issues()).toEqual([]);
	});

	it('gives the agent every outcome on the first output: created, already being resolved, unknown user, unknown issue code', async () => {
		const answers = await callTool(CREATE_PARAMETERS, [
			...SAME_ISSUE_TWICE,
			{ user_name: 'no.such.user', issue_code: '101' },
			{ user_name: 'abel.tuter', issue_code: '999' },
		]);
		expect(answers.map((a) => a.length)).toEqual([1, 1, 1, 1]);
		const [created, again, unknownUser, unknownCode] = answers.map((a) => a[0]);
		expectCreatedThenBeingResolved(created, again);
		expect(again.httpStatus).toBe(400);
		expect(unknownUser).toMatchObject({
			errorCode: 'USER_NOT_RESOLVED',
			branch: 'Unknown User',
			nextStep: DOCUMENTED_ERRORS.USER_NOT_RESOLVED.nextStep,
		});
		expect(unknownCode).toMatchObject({
			errorCode: 'ISSUE_CODE_OR_PROVIDER_UNKNOWN',
			nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_OR_PROVIDER_UNKNOWN.nextStep,
		});
		// Four calls reached the instance; one issue exists.
		expect(sn.journal().map((e) => e.errorCode ?? e.status)).toEqual([
			200,
			'BEING_RESOLVED',
			'USER_NOT_RESOLVED',
			'ISSUE_CODE_OR_PROVIDER_UNKNOWN',
		]);
		expect(sn.issues()).toHaveLength(1);
	});

	it('without tool mode the same refusal is on its own branch, so the first output alone would be empty', async () => {
		const items = [
			{ user_name: 'abel.tuter', code: '101' },
			{ user_name: 'abel.tuter', code: '101' },
		];
		const { outputs } = await runAction({ items, credentials: basicStore(sn.url) });
		expect(outputs.Created).toHaveLength(1);
		expect(outputs['Already Being Resolved']).toHaveLength(1);
		expect(outputs['Already Being Resolved'][0].json.nextStep).toBe(
			DOCUMENTED_ERRORS.BEING_RESOLVED.nextStep,
		);
	});

	it('answers a request it cannot send (empty issue code) instead of failing the call, even with Single Output routing', async () => {
		const [[answer]] = await callTool({ ...CREATE_PARAMETERS, errorRouting: 'single' }, [
			{ user_name: 'abel.tuter', issue_code: '' },
		]);
		expect(answer).toMatchObject({
			outcome: 'error',
			errorCode: 'ISSUE_CODE_EMPTY',
			sent: false,
			nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY.nextStep,
		});
		expect(sn.journal()).toHaveLength(0);
	});

	it('chains and says so; a chain onto an open issue comes back as Chain Conflict with what to do', async () => {
		const chain = {
			operation: 'chain',
			experienceId: EXPERIENCE_ID,
			issueCode: locator(fromAI('issue_code', 'The next issue code')),
			provider: locator('sn'),
		};
		await callTool(CREATE_PARAMETERS, [{ user_name: 'abel.tuter', issue_code: '102' }]);
		const id = sn.issues()[0].experience_id;
		const [[conflict]] = await callTool(chain, [{ experience_id: id, issue_code: '103' }]);
		expect(conflict).toMatchObject({
			outcome: 'error',
			errorCode: 'CHAIN_CONFLICT',
			branch: 'Chain Conflict',
			nextStep: DOCUMENTED_ERRORS.CHAIN_CONFLICT.nextStep,
		});
		sn.emulator.setIssueState(id, 'action_wait');
		const [[chained]] = await callTool(chain, [{ experience_id: id, issue_code: '103' }]);
		expect(chained).toMatchObject({ outcome: 'chained', branch: 'Chained', experience_id: id });
		expect(sn.issues()[0].issue_code_history).toEqual(['102', '103']);
	});

	it('reads an issue, and answers an unknown ID with what to check', async () => {
		await callTool(CREATE_PARAMETERS, [{ user_name: 'abel.tuter', issue_code: '101' }]);
		const id = sn.issues()[0].experience_id;
		const [[issue], [missing]] = await callTool(GET_PARAMETERS, [
			{ experience_id: id },
			{ experience_id: 'NO-SUCH-ISSUE' },
		]);
		expect(issue).toMatchObject({ experience_id: id, issue_code: '101', state: 'open' });
		expect(missing).toMatchObject({
			outcome: 'error',
			nextStep: PLATFORM_ERRORS.ISSUE_NOT_FOUND.nextStep,
		});
		expect(String(missing.message)).toContain('NO-SUCH-ISSUE');
	});
});

describe('as the tool of AI Agent 3.x, which has the engine run the tool as an ordinary node execution', () => {
	it('gives the agent every outcome on the first output: created with what to do next, already being resolved, an item it cannot send', async () => {
		const answers = await callToolThroughEngine(CREATE_PARAMETERS, [
			...SAME_ISSUE_TWICE,
			{ user_name: 'abel.tuter', issue_code: '' },
		]);
		expect(answers.map((a) => a.text)).not.toContain('""');
		const [[created], [again], [unsendable]] = answers.map((a) => a.answer as IDataObject[]);
		expectCreatedThenBeingResolved(created, again);
		expect(unsendable).toMatchObject({
			outcome: 'error',
			errorCode: 'ISSUE_CODE_EMPTY',
			sent: false,
			nextStep: DOCUMENTED_ERRORS.ISSUE_CODE_EMPTY.nextStep,
		});
		// The engine merges the agent's own input item into the tool's: none of it goes back to the model.
		expect(answers.map((a) => a.text).join()).not.toContain('caller-secret');
		// Two requests reached the instance (the empty issue code was never sent); one issue exists.
		expect(sn.journal().map((e) => e.errorCode ?? e.status)).toEqual([200, 'BEING_RESOLVED']);
		expect(sn.issues()).toHaveLength(1);
	});

	it('answers an unknown ID with what to check instead of a bare error', async () => {
		const [missing] = await callToolThroughEngine(GET_PARAMETERS, [
			{ experience_id: 'NO-SUCH-ISSUE' },
		]);
		const [answer] = missing.answer as IDataObject[];
		expect(answer).toMatchObject({
			outcome: 'error',
			nextStep: PLATFORM_ERRORS.ISSUE_NOT_FOUND.nextStep,
		});
		expect(String(answer.message)).toContain('NO-SUCH-ISSUE');
	});
});

describe('knowing it runs as an agent tool', () => {
	const context = (node: Partial<INode>, isToolExecution?: boolean) =>
		({
			getNode: () => workflowNode(ACTION_TYPE, 'PE', {}, { id: 'n', ...node }),
			...(isToolExecution === undefined ? {} : { isToolExecution: () => isToolExecution }),
		}) as unknown as IExecuteFunctions;

	it('through supplyData (AI Agent 1.x, 2.x, sub-agents, MCP): isToolExecution', () => {
		expect(runsAsAgentTool(context({}, true))).toBe(true);
	});

	it('as an engine action (AI Agent 3.x): the engine logs its output as ai_tool', () => {
		expect(runsAsAgentTool(context({ rewireOutputLogTo: NodeConnectionTypes.AiTool }, false))).toBe(
			true,
		);
	});

	it("as the tool variant, whose only output is the agent's, whatever the package is installed as", () => {
		expect(runsAsAgentTool(context({ type: TOOL_TYPE }, false))).toBe(true);
		expect(runsAsAgentTool(context({ type: 'serviceNowPeTool' }))).toBe(true);
		expect(
			runsAsAgentTool(context({ type: '@acme/n8n-nodes-servicenow-pe.serviceNowPeTool' })),
		).toBe(true);
	});

	it('not as the action node in a workflow', () => {
		expect(runsAsAgentTool(context({}, false))).toBe(false);
		expect(runsAsAgentTool(context({}))).toBe(false);
		expect(runsAsAgentTool(context({ rewireOutputLogTo: NodeConnectionTypes.Main }))).toBe(false);
	});
});
