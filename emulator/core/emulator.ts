/**
 * A pure model of ServiceNow's Proactive Engagement endpoint (and the slice of the platform
 * around it: Table API, Basic/OAuth auth). No n8n, no sockets: a request and the state in, a
 * response out. The standalone server and the n8n trigger node are thin adapters over it.
 */
import type { IssueState } from '../../contract/api';
import { isPlainObject } from '../../contract/values';
import type { EmulatorSettings, EmulatorState, HandleResult, StateChange } from './context';
import { FaultList, type Fault, type FaultSpec } from './faults';
import { glideDateTime } from './dates';
import type { IssueRecord } from './issueRecord';
import { IssueStore } from './issues';
import { Journal, type JournalEntry } from './journal';
import { Registry, defaultSeed, type Seed } from './registry';
import { forceOutcome, playDue, type ForcedOutcome } from './engagement';
import { IncidentStore, type IncidentRecord } from './incidents';
import {
	readProperties,
	settingsOf,
	type EmulatorOptions,
	type EmulatorSnapshot,
	type SystemProperties,
} from './options';
import { setVaConversation, vaConversationNames } from './conversations';
import { admit, handleRequest, type Admission } from './pipeline';
import { readHead, type EmulatorRequest, type RequestHead } from './request';
import { TokenStore, type TokenGrant } from './tokens';

export class Emulator {
	private readonly state: EmulatorState;
	private readonly listeners = new Set<(change: StateChange) => void>();
	private readonly clockOffset: { get(): number; set(ms: number): void };

	constructor(options: EmulatorOptions = {}) {
		const settings = settingsOf(options);
		const changed = (change: StateChange) => {
			for (const listener of this.listeners) listener(change);
		};
		const issues = new IssueStore(changed);
		const incidents = new IncidentStore(changed);
		const tokens = new TokenStore(changed);
		const clock = options.now ?? Date.now;
		let offset = 0;
		this.clockOffset = {
			get: () => offset,
			set: (ms) => {
				offset = ms;
			},
		};
		const faults = new FaultList();
		const journal = new Journal(options.journalLimit ?? 1000);
		const authorizationCodes: EmulatorState['authorizationCodes'] = new Map();
		const registry = new Registry(options.seed ?? defaultSeed());
		const seededConversations = () =>
			registry.seed.users.filter((u) => u.in_active_va_conversation).map((u) => u.sys_id);
		const vaConversations = new Set(seededConversations());
		const startProperties = { ...settings.properties };
		this.state = {
			settings,
			registry,
			issues,
			incidents,
			tokens,
			faults,
			journal,
			vaConversations,
			authorizationCodes,
			now: () => clock() + offset,
			advance: (ms) => {
				offset += ms;
				// The clock's lead is state too: kept across restarts, as the steps planned by it are.
				changed({ kind: 'clock', offsetMs: offset });
			},
			changed,
			reset: () => {
				issues.clear();
				incidents.clear();
				tokens.clear();
				journal.clear();
				faults.clear();
				// Properties and conversations go back to how the emulator started.
				Object.assign(settings.properties, startProperties);
				vaConversations.clear();
				for (const id of seededConversations()) vaConversations.add(id);
				changed({ kind: 'reset' });
			},
		};
		if (options.state) this.restore(options.state);
		for (const fault of options.faults ?? []) faults.add(fault);
	}

	/** The auth mode. */
	get auth(): EmulatorSettings['authMode'] {
		return this.state.settings.authMode;
	}

	get initialState(): IssueState {
		return this.state.settings.initialState;
	}

	get maxBodyBytes(): number {
		return this.state.settings.maxBodyBytes;
	}

	/** The largest body a request to this target may have: a batch carries many. */
	bodyLimit(url: string): number {
		return readHead(this.state.settings, { method: 'POST', url, headers: {} }).bodyLimit;
	}

	get seed(): Seed {
		return this.state.registry.seed;
	}

	/** Called with every change of state (issues, tokens), in order: adapters persist it. */
	onChange(listener: (change: StateChange) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	// ---------------------------------------------------------------- state

	snapshot(): EmulatorSnapshot {
		const clockOffsetMs = this.clockOffset.get();
		return {
			version: 2,
			issues: this.state.issues.snapshot(),
			tokens: this.state.tokens.snapshot(),
			incidents: structuredClone(this.state.incidents.all()),
			...(clockOffsetMs ? { clockOffsetMs } : {}),
		};
	}

	restore(snapshot: EmulatorSnapshot): void {
		if (
			!isPlainObject(snapshot) ||
			(snapshot.version !== 1 && snapshot.version !== 2) ||
			!isPlainObject(snapshot.issues)
		) {
			throw new Error(
				'State is not an emulator snapshot (version 1 or 2); delete the state file or pass another.',
			);
		}
		// A plain copy: stored state may arrive wrapped (n8n's static data is an observable proxy).
		const copy = JSON.parse(JSON.stringify(snapshot)) as EmulatorSnapshot;
		this.state.issues.restore(copy.issues);
		this.state.tokens.restore(copy.tokens ?? { access: [], refresh: [] }, copy.version === 2);
		this.state.incidents.restore(Array.isArray(copy.incidents) ? copy.incidents : []);
		if (
			typeof copy.clockOffsetMs === 'number' &&
			Number.isFinite(copy.clockOffsetMs) &&
			copy.clockOffsetMs >= 0
		)
			this.clockOffset.set(copy.clockOffsetMs);
	}

	/**
	 * Clears issues, tokens, journal and faults; the registry stays. System properties and Virtual
	 * Agent conversations go back to how the emulator started.
	 */
	reset(): void {
		this.state.reset();
	}

	listIssues(): IssueRecord[] {
		playDue(this.state);
		return structuredClone(this.state.issues.all());
	}

	listIncidents(): IncidentRecord[] {
		playDue(this.state);
		return structuredClone(this.state.incidents.all());
	}

	/** Puts back what a batch of changes that could not be saved touched, as the state file holds it. */
	revert(undo: {
		issues: Array<{ sys_id: string; record?: IssueRecord }>;
		counter: number;
		tokens: Array<{ type: 'access' | 'refresh'; hash: string; grant?: TokenGrant }>;
		incidents: Array<{ sys_id: string; record?: IncidentRecord }>;
		clockOffsetMs?: number;
	}): void {
		if (undo.clockOffsetMs !== undefined) this.clockOffset.set(undo.clockOffsetMs);
		this.state.issues.revert(undo.issues, undo.counter);
		this.state.tokens.revert(undo.tokens);
		this.state.incidents.revert(undo.incidents);
	}

	/** Moves the emulator's clock forward and plays the engagement steps it passes. */
	advanceClock(seconds: number): void {
		this.state.advance(seconds * 1000);
		playDue(this.state);
	}

	/** Ends an issue's engagement now with the given outcome; undefined when no such issue. A closed issue stays as it is. */
	forceOutcome(sysIdOrExperienceId: string, outcome: ForcedOutcome): IssueRecord | undefined {
		const { issues } = this.state;
		playDue(this.state);
		const issue = issues.get(sysIdOrExperienceId) ?? issues.byExperience(sysIdOrExperienceId);
		if (!issue) return undefined;
		forceOutcome(this.state, issue, outcome);
		return structuredClone(issue);
	}

	/** The system properties the emulator plays, as they are now. */
	get properties(): SystemProperties {
		return { ...this.state.settings.properties };
	}

	/** Sets system properties (name → true/false); an unknown name or value throws, naming it, and sets none. */
	setProperties(properties: Partial<SystemProperties>): SystemProperties {
		Object.assign(
			this.state.settings.properties,
			readProperties(properties, this.state.settings.properties),
		);
		return this.properties;
	}

	/**
	 * Puts a user (sys_id or user_name) in an active Virtual Agent conversation, or ends it; false
	 * when no such user.
	 */
	setVaConversation(user: string, active: boolean): boolean {
		return setVaConversation(this.state, user, active);
	}

	/** user_names of the users in an active Virtual Agent conversation. */
	vaConversations(): string[] {
		return vaConversationNames(this.state);
	}

	journalEntries(since = 0): JournalEntry[] {
		return this.state.journal.list(since);
	}

	clearJournal(): void {
		this.state.journal.clear();
	}

	injectFault(spec: FaultSpec): Fault {
		return this.state.faults.add(spec);
	}

	listFaults(): Fault[] {
		return this.state.faults.list();
	}

	clearFaults(): void {
		this.state.faults.clear();
	}

	expireAccessTokens(): number {
		return this.state.tokens.expireAccessTokens();
	}

	/** Sets an issue's state as the Table API does; undefined when no such issue. */
	setIssueState(sysIdOrExperienceId: string, state: IssueState): IssueRecord | undefined {
		const { issues } = this.state;
		const issue = issues.get(sysIdOrExperienceId) ?? issues.byExperience(sysIdOrExperienceId);
		if (!issue) return undefined;
		issues.setState(issue, state, glideDateTime(this.state.now()));
		return structuredClone(issue);
	}

	/**
	 * A request's line and headers, before its body is read: the answer they alone get (413, 401),
	 * or the head admitted, to be passed on with the body (`handle({ ...head, body, admitted })`):
	 * it is neither read nor authenticated again. `admitted.bodyLimit` is the most body to read.
	 */
	admit(head: RequestHead & { contentLength?: number }): Admission {
		return admit(this.state, head);
	}

	/** The answer a request gets from its head alone (413, 401), before its body is read; else undefined (see `admit`). */
	handleHead(req: RequestHead & { contentLength?: number }): HandleResult | undefined {
		const admission = this.admit(req);
		return 'answer' in admission ? admission.answer : undefined;
	}

	/** One request through the pipeline (see `pipeline.ts`). */
	handle(req: EmulatorRequest): HandleResult {
		return handleRequest(this.state, req);
	}
}
