/** What the emulator's request pipeline hands each handler: the state, and the request as read (request.ts). */
import type { IssueState } from '../../contract/api';
import type { CatalogueEntry } from '../../contract/errors';
import type { EmulatorResponse } from './answer';
import type { FaultList } from './faults';
import type { IncidentChange, IncidentStore } from './incidents';
import type { IssueRecord } from './issueRecord';
import type { IssueChange, IssueStore } from './issues';
import type { Journal } from './journal';
import type { SystemProperties } from './options';
import type { Registry, UserRecord } from './registry';
import type { ApiCall } from './request';
import type { TokenChange, TokenStore } from './tokens';

/** One change of the state, in the order it happened: what a durable store writes. */
export type StateChange =
	| IssueChange
	| IncidentChange
	| TokenChange
	| { kind: 'reset' }
	| { kind: 'clock'; offsetMs: number };

/** What API calls must present: nothing, Basic credentials, or a Bearer token. */
export type AuthMode = 'none' | 'basic' | 'oauth';
export const AUTH_MODES: readonly AuthMode[] = ['none', 'basic', 'oauth'];

export interface EmulatorSettings {
	authMode: AuthMode;
	initialState: IssueState;
	tokenTtlSeconds: number;
	maxBodyBytes: number;
	/** Largest Batch API request body, in bytes (each item is held to maxBodyBytes). */
	maxBatchBytes: number;
	/** A batch's transaction time; items past it are unserviced (injected item delays count). */
	batchTimeLimitMs: number;
	/** Largest answer of one batch item; past it the item is answered 500 and the rest unserviced. */
	maxBatchItemOutputBytes: number;
	/** Largest sum of a batch's item answers; past it the same. */
	maxBatchAnswerBytes: number;
	/** Experience issues held at most; a create past it is refused. */
	maxIssues: number;
	/** Bytes of caller content (endpoint, input parameters, investigative details) held at most. */
	maxContentBytes: number;
	control: boolean;
	responseIdKey: 'experience_id' | 'experienceId';
	/** The instance's system properties the emulator plays (the control API may change them). */
	properties: SystemProperties;
}

/** The emulator's state, shared by its handlers. */
export interface EmulatorState {
	readonly settings: EmulatorSettings;
	registry: Registry;
	readonly issues: IssueStore;
	readonly incidents: IncidentStore;
	readonly tokens: TokenStore;
	readonly faults: FaultList;
	readonly journal: Journal;
	/** sys_ids of the users in an active Virtual Agent conversation (seeded; the control API changes it). */
	readonly vaConversations: Set<string>;
	/** One-time codes of the authorization-code grant: code → client and user. */
	readonly authorizationCodes: Map<
		string,
		{ client_id: string; user_name: string; redirect_uri: string }
	>;
	/** The emulator's clock (ms since epoch): the real one, plus what the control API advanced it by. */
	now(): number;
	/** Moves the clock forward (control API). */
	advance(ms: number): void;
	/** Tells listeners that issues or tokens changed (adapters persist the state). */
	changed(change: StateChange): void;
	/** Clears issues, tokens, journal and faults; the registry stays (and the seed's VA conversations). */
	reset(): void;
}

/** What a create request did, for adapters that react to it (the trigger node's outputs). */
export type CreateOutcome =
	| {
			kind: 'accepted';
			chained: boolean;
			issue: IssueRecord;
			user: Pick<UserRecord, 'sys_id' | 'user_name' | 'name' | 'email'>;
			body: Record<string, unknown>;
	  }
	| {
			kind: 'rejected';
			error: CatalogueEntry;
			body: Record<string, unknown> | undefined;
	  };

export interface HandleResult extends EmulatorResponse {
	/** Set for create requests that reached the rules (or a forced error). */
	outcome?: CreateOutcome;
}

export type Handler = (state: EmulatorState, call: ApiCall) => HandleResult;
