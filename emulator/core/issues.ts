/** Experience issues held by the emulator, indexed for the create rules. */
import { ACTIVE_STATES, type IssueState } from '../../contract/api';
import { contentBytes, type IssueContent, type IssueRecord } from './issueRecord';
import { StepHeap } from './steps';
import { newSysId } from './sysIds';

export interface IssueSnapshot {
	issues: IssueRecord[];
	counter: number;
}

function activeKey(user: string, provider: string, issueCode: string): string {
	// NUL cannot occur in a sys_id, and separates the parts whatever the provider and code hold.
	return `${user}\u0000${provider.length}\u0000${provider}\u0000${issueCode}`;
}

/** A new or changed issue, for adapters that persist it; `counter` numbers the next one. */
export interface IssueChange {
	kind: 'issue';
	issue: IssueRecord;
	counter: number;
}

export class IssueStore {
	constructor(private readonly changed: (change: IssueChange) => void = () => undefined) {}

	private bySysId = new Map<string, IssueRecord>();
	/** Issues with a planned engagement step, earliest first. */
	private steps = new StepHeap();
	private byExperienceId = new Map<string, IssueRecord>();
	/** Open / in-progress issues by (user, provider, issue code): the "being resolved" rule. */
	private active = new Map<string, Set<string>>();
	private counter = 0;
	/** Bytes of what callers sent that each issue holds (endpoint, input parameters, investigative details). */
	private weights = new Map<string, number>();
	private weight = 0;

	all(): IssueRecord[] {
		return [...this.bySysId.values()];
	}

	get size(): number {
		return this.bySysId.size;
	}

	/** Bytes of caller content held in all issues (the emulator's storage limit). */
	get contentBytes(): number {
		return this.weight;
	}

	/** What one issue is counted as holding. */
	weightOf(sysId: string): number {
		return this.weights.get(sysId) ?? 0;
	}

	/** `bytes`: what the caller sent for it (an upper bound of what it keeps), else measured. */
	private weigh(issue: IssueRecord, bytes = contentBytes(issue)): void {
		this.weight += bytes - (this.weights.get(issue.sys_id) ?? 0);
		this.weights.set(issue.sys_id, bytes);
	}

	private unweigh(sysId: string): void {
		this.weight -= this.weights.get(sysId) ?? 0;
		this.weights.delete(sysId);
	}

	get(sysId: string): IssueRecord | undefined {
		return this.bySysId.get(sysId);
	}

	byExperience(experienceId: string): IssueRecord | undefined {
		const found = this.byExperienceId.get(experienceId);
		if (found) return found;
		// An issue created without an experience_id carries its sys_id as one, indexed only there.
		const bySysId = this.bySysId.get(experienceId);
		return bySysId?.experience_id === experienceId ? bySysId : undefined;
	}

	/** An open or in-progress issue with this code for this user, other than `except`. */
	beingResolved(
		user: string,
		provider: string,
		issueCode: string,
		except?: string,
	): IssueRecord | undefined {
		const ids = this.active.get(activeKey(user, provider, issueCode));
		if (!ids) return undefined;
		for (const id of ids) if (id !== except) return this.bySysId.get(id);
		return undefined;
	}

	/** A new record: the caller's experience_id, or its own sys_id when none is given. */
	create(
		content: IssueContent,
		owner: {
			experienceId: string;
			user: string;
			configurationItem: string;
			endpoint: Record<string, string>;
		},
		bytes?: number,
	): IssueRecord {
		const sysId = newSysId();
		this.counter++;
		const issue: IssueRecord = {
			sys_id: sysId,
			number: `PREN${String(this.counter).padStart(7, '0')}`,
			experience_id: owner.experienceId || sysId,
			issue_code: content.issueCode,
			provider: content.provider,
			state: content.state,
			user: owner.user,
			configuration_item: owner.configurationItem,
			endpoint: owner.endpoint,
			input_parameters: content.inputParameters,
			investigative_details: content.investigativeDetails,
			issue_code_history: [content.issueCode],
			sys_created_on: content.at,
			sys_updated_on: content.at,
			end_reason: '',
			fallback_result: '',
			fallback_incident: '',
		};
		this.insert(issue, bytes);
		this.changed({ kind: 'issue', issue, counter: this.counter });
		return issue;
	}

	/** Chains a new issue code onto an issue: it continues with the new code and content. */
	chain(issue: IssueRecord, content: IssueContent, bytes?: number): void {
		this.update(issue, (i) => {
			i.issue_code = content.issueCode;
			i.provider = content.provider;
			i.state = content.state;
			i.input_parameters = content.inputParameters;
			i.investigative_details = content.investigativeDetails;
			i.issue_code_history.push(content.issueCode);
			i.sys_updated_on = content.at;
			i.end_reason = '';
			i.fallback_result = '';
			i.fallback_incident = '';
		});
		this.weigh(issue, bytes);
		this.changed({ kind: 'issue', issue, counter: this.counter });
	}

	/** Sets an issue's state (and, when the engagement ends, why); a step planned for it is dropped. */
	setState(
		issue: IssueRecord,
		state: IssueState,
		at: string,
		end: Partial<Pick<IssueRecord, 'end_reason' | 'fallback_result' | 'fallback_incident'>> = {},
	): void {
		this.update(issue, (i) => {
			i.state = state;
			i.sys_updated_on = at;
			Object.assign(i, end);
			delete i.next_step;
			delete i.next_step_at;
		});
		this.changed({ kind: 'issue', issue, counter: this.counter });
	}

	/** Plans the next engagement step of an issue (saved with it; played by `due`). */
	plan(issue: IssueRecord, step: 'engage' | 'outcome', at: number): void {
		issue.next_step = step;
		issue.next_step_at = at;
		this.steps.push(issue, at);
		this.changed({ kind: 'issue', issue, counter: this.counter });
	}

	/** Issues whose planned step is due at `now`, earliest first (each taken off the plan). */
	due(now: number): IssueRecord[] {
		const out: IssueRecord[] = [];
		for (let next = this.steps.peek(); next && next.at <= now; next = this.steps.peek()) {
			this.steps.pop();
			const { issue, at } = next;
			// Planned again, played, or dropped since: the entry is stale.
			if (
				issue.next_step !== undefined &&
				issue.next_step_at === at &&
				this.bySysId.get(issue.sys_id) === issue
			)
				out.push(issue);
		}
		return out;
	}

	private insert(issue: IssueRecord, bytes?: number): void {
		this.weigh(issue, bytes);
		this.bySysId.set(issue.sys_id, issue);
		if (issue.experience_id !== issue.sys_id) this.byExperienceId.set(issue.experience_id, issue);
		this.index(issue);
	}

	/** Applies a change to an issue, keeping the indexes right. */
	private update(issue: IssueRecord, change: (issue: IssueRecord) => void): void {
		this.unindex(issue);
		change(issue);
		this.index(issue);
	}

	private index(issue: IssueRecord): void {
		if (!ACTIVE_STATES.includes(issue.state)) return;
		const key = activeKey(issue.user, issue.provider, issue.issue_code);
		let ids = this.active.get(key);
		if (!ids) this.active.set(key, (ids = new Set()));
		ids.add(issue.sys_id);
	}

	private unindex(issue: IssueRecord): void {
		const key = activeKey(issue.user, issue.provider, issue.issue_code);
		const ids = this.active.get(key);
		if (!ids) return;
		ids.delete(issue.sys_id);
		if (ids.size === 0) this.active.delete(key);
	}

	clear(): void {
		this.steps = new StepHeap();
		this.bySysId.clear();
		this.byExperienceId.clear();
		this.active.clear();
		this.weights.clear();
		this.weight = 0;
		this.counter = 0;
	}

	snapshot(): IssueSnapshot {
		return { issues: structuredClone(this.all()), counter: this.counter };
	}

	restore(snapshot: IssueSnapshot): void {
		this.clear();
		for (const issue of snapshot.issues) this.put(issue);
		this.counter = snapshot.counter;
	}

	/** Puts issues back as they were saved (no record: not saved, so dropped), and the counter. */
	revert(issues: Array<{ sys_id: string; record?: IssueRecord }>, counter: number): void {
		for (const { sys_id, record } of issues) {
			const held = this.bySysId.get(sys_id);
			if (held) {
				this.unweigh(sys_id);
				this.unindex(held);
				this.bySysId.delete(sys_id);
				if (this.byExperienceId.get(held.experience_id) === held)
					this.byExperienceId.delete(held.experience_id);
			}
			if (record) this.put(record);
		}
		this.counter = counter;
	}

	private put(issue: IssueRecord): void {
		this.insert(issue);
		if (issue.next_step !== undefined && issue.next_step_at !== undefined)
			this.steps.push(issue, issue.next_step_at);
	}
}
