/** The polling trigger as n8n runs it: a saved node, its static data kept as n8n keeps it, polled by n8n-core's poll context. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { ServiceNowPeTrigger } from '../../nodes/ServiceNowPe/ServiceNowPeTrigger.node';
import { API_CREDENTIAL, basicStore } from './action';
import { emulatorForSuite, makeIssue } from './http';
import { buildWorkflow, nodeTypesOf, pollContext, workflowNode } from './n8n';

export const TRIGGER_TYPE = 'n8n-nodes-servicenow-proactive-engagement.serviceNowPeTrigger';
export const trigger = new ServiceNowPeTrigger();
export const triggerNodeTypes = nodeTypesOf({ [TRIGGER_TYPE]: trigger });

/** Changes younger than this by the instance's clock wait for the next poll. */
export const SETTLE = 5;

/** The trigger node of a saved workflow, with the basic credential. */
export const triggerNode = (parameters: Record<string, unknown>) =>
	workflowNode(TRIGGER_TYPE, 'PE Trigger', parameters, { id: 't', credentials: API_CREDENTIAL });

/** The json of the items a poll returned (none for a poll that found nothing). */
export const polled = (result: INodeExecutionData[][] | null): IDataObject[] =>
	(result?.[0] ?? []).map((item) => item.json);

/**
 * A trigger on the instance at `url` whose static data lives on between polls (a plain copy is what
 * the database holds). `asN8n`: kept only when n8n saves it — after the first poll (activation) and
 * after a poll that started the workflow, and only when marked changed — each poll as after a
 * restart of n8n.
 */
export function poller(
	parameters: Record<string, unknown>,
	url: string,
	persist: 'always' | 'asN8n' = 'always',
) {
	let staticData: IDataObject = {};
	let polls = 0;
	let changed = false;
	const node = triggerNode(parameters);
	const credentials = basicStore(url);
	return {
		async poll(mode: 'trigger' | 'manual' = 'trigger'): Promise<IDataObject[]> {
			const workflow = buildWorkflow(
				{ nodes: [node], connections: {}, staticData },
				triggerNodeTypes,
			);
			const result = await trigger.poll.call(
				pollContext(workflow, 'PE Trigger', credentials, mode),
			);
			if (mode === 'trigger') {
				changed = (workflow.staticData as IDataObject).__dataChanged === true;
				const saved = persist === 'always' || (changed && (polls === 0 || result !== null));
				if (saved) staticData = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
				polls++;
			}
			return polled(result);
		},
		get staticData() {
			return staticData;
		},
		/** Whether the last poll marked the static data changed (n8n saves it only then). */
		get changed() {
			return changed;
		},
	};
}
export type Poller = ReturnType<typeof poller>;

/** A poller that goes on from where `from` is, as n8n does after a restart with the stored static data. */
export function restarted(from: Poller, parameters: Record<string, unknown>, url: string): Poller {
	const next = poller(parameters, url);
	Object.assign(next.staticData, JSON.parse(JSON.stringify(from.staticData)));
	return next;
}

/** Events as [event, experience_id, state, end_reason]. */
export const brief = (events: IDataObject[]) =>
	events.map((e) => [e.event, e.experience_id, e.state, e.end_reason]);

/** Events as [event, experience_id, state, issue_code]. */
export const codes = (events: IDataObject[]) =>
	events.map((e) => [e.event, e.experience_id, e.state, e.issue_code]);

/** How often each event was reported: `created X`, `stateChanged X in_progress`. */
export const count = (events: IDataObject[]) => {
	const counts: Record<string, number> = {};
	for (const e of events) {
		const key = [e.event, e.experience_id, ...(e.event === 'stateChanged' ? [e.state] : [])].join(
			' ',
		);
		counts[key] = (counts[key] ?? 0) + 1;
	}
	return counts;
};

/** Polls once after each wait (`pass` moves the clocks on by that many seconds); every event found, in order. */
export async function pollsAfter(
	t: Poller,
	waits: number[],
	pass: (seconds: number) => void,
): Promise<IDataObject[]> {
	const events: IDataObject[] = [];
	for (const seconds of waits) {
		pass(seconds);
		events.push(...(await t.poll()));
	}
	return events;
}

/**
 * One emulator for a test file, reset before each test, its clock the test's to move
 * (`clock.now`, or `advance`); pollers of it, and issues made on it.
 */
export function triggerSuite() {
	const clock = { now: Date.parse('2026-11-28T08:00:00Z') };
	const sn = emulatorForSuite({ auth: 'basic', now: () => clock.now });
	return {
		sn,
		clock,
		/** The instance's clock moves on by this many seconds. */
		advance: (seconds: number) => {
			clock.now += seconds * 1000;
			sn.emulator.advanceClock(0);
		},
		poller: (
			parameters: Record<string, unknown>,
			url = sn.url,
			persist: 'always' | 'asN8n' = 'always',
		) => poller(parameters, url, persist),
		/** An issue of this user and code, made on the instance (or chained onto, as the Chain operation would). */
		issue: (user: string, code: string, experienceId?: string) =>
			makeIssue(sn.url, user, code, experienceId),
		/** Makes that issue, lets `seconds` pass on the instance's clock, and polls `t`: what the poll found. */
		pollAfterIssue: async (
			t: Poller,
			seconds: number,
			user: string,
			code: string,
			experienceId?: string,
		) => {
			await makeIssue(sn.url, user, code, experienceId);
			clock.now += seconds * 1000;
			sn.emulator.advanceClock(0);
			return t.poll();
		},
	};
}
