/**
 * The engagement the emulator plays for an issue whose code has a scenario in the registry, as
 * ServiceNow would: the user is engaged (open → in_progress), asked for consent, the resolution
 * runs, and the issue ends closed with its end reason — or waits in action_wait for the next issue
 * code — and a failed resolution falls back to an incident. Steps are played as the emulator's
 * clock passes them (on any request, or when the control API advances the clock).
 */
import { END_REASONS, FALLBACK_RESULTS } from '../../contract/api';
import type { EmulatorState } from './context';
import { glideDateTime } from './dates';
import type { IssueRecord } from './issueRecord';
import type { Fallback, Outcome, ScenarioRecord } from './registry';

/** Why an engagement ended, and what the fallback of a failed resolution did: the emulator's words (the docs list none). */
type EndReason = (typeof END_REASONS)[number];
type FallbackResult = (typeof FALLBACK_RESULTS)[number];

/** What each fallback leaves in the issue's fallback_result when the resolution failed. */
const FALLBACK_RESULT: Record<Fallback, FallbackResult> = {
	incident: 'incident_created',
	live_agent: 'routed_to_live_agent',
	none: 'none',
};

/** Outcomes a test may force: the scenario's own, or the user declining. */
export const FORCED_OUTCOMES = ['resolved', 'failed', 'awaits_next', 'consent_declined'] as const;
export type ForcedOutcome = (typeof FORCED_OUTCOMES)[number];

function scenarioOf(state: EmulatorState, issue: IssueRecord): ScenarioRecord | undefined {
	return state.registry.issueCode(issue.issue_code, issue.provider)?.scenario;
}

/** Plans the first step of a new (or chained) issue that starts open and has a scenario. */
export function startEngagement(state: EmulatorState, issue: IssueRecord): void {
	const scenario = scenarioOf(state, issue);
	if (!scenario || issue.state !== 'open') return;
	state.issues.plan(issue, 'engage', state.now() + scenario.engage_after_seconds * 1000);
}

/**
 * Closes a new (or chained) issue at once as close_skipped: its user is already in an active
 * Virtual Agent conversation and the instance's property says not to start another.
 */
export function skipEngagement(state: EmulatorState, issue: IssueRecord): void {
	state.issues.setState(issue, 'close_skipped', glideDateTime(state.now()), {
		end_reason: 'user_in_active_va_conversation',
		fallback_result: '',
		fallback_incident: '',
	});
}

function interactionSummary(issue: IssueRecord, name: string, outcome: string): string {
	return [
		`Proactive Engagement: ${name || issue.issue_code} (issue code ${issue.issue_code}, ${issue.number}).`,
		`Resolution outcome: ${outcome}.`,
		`Issue codes: ${issue.issue_code_history.join(', ')}.`,
	].join('\n');
}

/** Closes an engagement with its end reason and, when it says, what the fallback did. */
function close(
	state: EmulatorState,
	issue: IssueRecord,
	when: string,
	endReason: EndReason,
	fallback?: { result: FallbackResult | ''; incident?: string },
): void {
	state.issues.setState(issue, 'closed', when, {
		end_reason: endReason,
		...(fallback ? { fallback_result: fallback.result } : {}),
		...(fallback?.incident ? { fallback_incident: fallback.incident } : {}),
	});
}

/** Ends an engagement the way its outcome says, at `at` (ms). */
function finish(
	state: EmulatorState,
	issue: IssueRecord,
	outcome: ForcedOutcome | Outcome,
	at: number,
	fallback = scenarioOf(state, issue)?.fallback ?? 'none',
): void {
	const when = glideDateTime(at);
	if (outcome === 'awaits_next')
		return state.issues.setState(issue, 'action_wait', when, { end_reason: '' });
	if (outcome === 'resolved' || outcome === 'consent_declined')
		return close(state, issue, when, outcome, { result: '' });
	// Failed: the fallback.
	const result = FALLBACK_RESULT[fallback];
	if (fallback !== 'incident') return close(state, issue, when, 'resolution_failed', { result });
	const entry = state.registry.issueCode(issue.issue_code, issue.provider);
	const details = Object.entries(issue.investigative_details).map(
		([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
	);
	const incident = state.incidents.create({
		short_description: `${entry?.name || `Issue code ${issue.issue_code}`}: self-remediation did not resolve the issue`,
		description: ['Investigative details:', ...details].join('\n'),
		caller_id: issue.user,
		cmdb_ci: issue.configuration_item,
		origin_table: 'sn_pren_experience_issue',
		origin_id: issue.sys_id,
		work_notes: interactionSummary(issue, entry?.name ?? '', 'failed'),
		sys_created_on: when,
		sys_updated_on: when,
	});
	close(state, issue, when, 'resolution_failed', { result, incident: incident.sys_id });
}

/** Plays every step the clock has passed, each at its own time. */
export function playDue(state: EmulatorState): void {
	const now = state.now();
	for (let due = state.issues.due(now); due.length > 0; due = state.issues.due(now)) {
		for (const issue of due) {
			const scenario = scenarioOf(state, issue);
			const at = issue.next_step_at ?? now;
			if (!scenario) {
				state.issues.setState(issue, issue.state, glideDateTime(at));
			} else if (issue.next_step === 'engage') {
				if (scenario.engagement === 'notify_only')
					close(state, issue, glideDateTime(at), 'notified');
				else if (scenario.engagement === 'engage_user_consent' && scenario.consent === 'decline')
					finish(state, issue, 'consent_declined', at);
				else {
					state.issues.setState(issue, 'in_progress', glideDateTime(at));
					state.issues.plan(issue, 'outcome', at + scenario.resolve_after_seconds * 1000);
				}
			} else {
				finish(state, issue, scenario.outcome, at);
			}
		}
	}
}

/** Why an outcome cannot be forced on this issue (undefined: it can). A closed (or skipped) issue has ended. */
export function cannotForce(issue: IssueRecord): string | undefined {
	return issue.state === 'closed' || issue.state === 'close_skipped'
		? `The issue is ${issue.state === 'closed' ? 'closed' : 'closed as skipped'} (${issue.end_reason || 'ended'}): its engagement is over; create a new issue.`
		: undefined;
}

/** Ends an issue's engagement now with the given outcome (control API, for deterministic tests). */
export function forceOutcome(
	state: EmulatorState,
	issue: IssueRecord,
	outcome: ForcedOutcome,
	fallback?: ScenarioRecord['fallback'],
): void {
	if (cannotForce(issue)) return;
	finish(state, issue, outcome, state.now(), fallback);
}
