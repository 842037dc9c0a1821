/**
 * The one home of what an Emulator is built from: its options (EmulatorOptions), the settings its
 * handlers read (`settingsOf`: their defaults and checks), and the saved state it may start from
 * (EmulatorSnapshot, which `snapshot()` gives and the state stores keep).
 */
import { ISSUE_STATES, isIssueState, type IssueState } from '../../contract/api';
import { AUTH_MODES, type EmulatorSettings } from './context';
import { isPlainObject } from '../../contract/values';
import type { FaultSpec } from './faults';
import type { IncidentRecord } from './incidents';
import type { IssueSnapshot } from './issues';
import type { Seed } from './registry';
import type { TokenSnapshot } from './tokens';

export interface EmulatorOptions {
	/** Registry; the built-in seed when absent. */
	seed?: Seed;
	/** The auth mode: what API calls must present (default 'none'). */
	auth?: EmulatorSettings['authMode'];
	/** State new experience issues start in (default 'open'). */
	initialState?: IssueState;
	/** Lifetime of OAuth access tokens in seconds (default 1800). */
	tokenTtlSeconds?: number;
	/** Journal entries kept (default 1000). */
	journalLimit?: number;
	/** Largest request body accepted, in bytes (default 1 MiB); larger gets 413. */
	maxBodyBytes?: number;
	/** Largest Batch API request body, in bytes (default 10 MiB); each item is held to maxBodyBytes. */
	maxBatchBytes?: number;
	/** Transaction time of a batch (default 30 s, as instances); items past it are unserviced. */
	batchTimeLimitMs?: number;
	/** Largest answer of one batch item (default 10 MiB, as instances); lowered per request by X-BATCHREQUEST-MAX-OUTPUT-SIZE. */
	maxBatchItemOutputBytes?: number;
	/** Largest sum of the item answers of one batch (default 32 MiB). */
	maxBatchAnswerBytes?: number;
	/** Experience issues held at most (default 200,000); a create past it is refused with CREATION_FAILED. */
	maxIssues?: number;
	/** Bytes of caller content held in all issues at most (default 256 MiB); past it creates are refused. */
	maxContentBytes?: number;
	/** Serve the `/_emulator/...` control API (default true). */
	control?: boolean;
	/**
	 * System properties of the instance the emulator plays (each off by default). Also set by the
	 * CLI's `--property name=value` and the control API's `POST /_emulator/properties`.
	 */
	properties?: Partial<SystemProperties>;
	/** Key of the id in a create response (default 'experience_id', as the document's example). */
	responseIdKey?: EmulatorSettings['responseIdKey'];
	/** State to start from (see `snapshot()`). */
	state?: EmulatorSnapshot;
	/** Faults in force from the start (e.g. forced outcomes; `count: 0` keeps one for good). */
	faults?: FaultSpec[];
	/** Clock (ms since epoch); tests may pass their own. */
	now?: () => number;
}

export interface EmulatorSnapshot {
	/** 2: tokens kept as their SHA-256; 1 (read, never written): tokens themselves. */
	version: 1 | 2;
	issues: IssueSnapshot;
	tokens: TokenSnapshot;
	/** Fallback incidents (absent before they existed). */
	incidents?: IncidentRecord[];
	/** How far the control API moved the clock on, in ms (absent: not at all). */
	clockOffsetMs?: number;
}

/**
 * With it on, an experience issue created for a user already in an active Virtual Agent
 * conversation is closed at once as close_skipped ("Setting up Proactive Engagement").
 */
export const VA_CONVERSATION_PROPERTY =
	'sn_pren.continue_engagement_if_user_is_in_active_VA_conversation';

/** The instance's system properties the emulator plays, all true/false. */
export const SYSTEM_PROPERTIES = [VA_CONVERSATION_PROPERTY] as const;
export type SystemProperty = (typeof SYSTEM_PROPERTIES)[number];
export type SystemProperties = Record<SystemProperty, boolean>;

/**
 * Properties given as an object of name → true/false (or 'true'/'false', as instances store
 * them): the ones given, checked; an unknown name or another value throws, naming it.
 */
export function readProperties(raw: unknown, current?: SystemProperties): SystemProperties {
	const out: SystemProperties = { ...(current ?? { [VA_CONVERSATION_PROPERTY]: false }) };
	if (raw === undefined) return out;
	if (!isPlainObject(raw))
		throw new Error(
			`properties must be an object of property name → true or false, e.g. {"${VA_CONVERSATION_PROPERTY}": true}.`,
		);
	for (const [name, value] of Object.entries(raw)) {
		if (!(SYSTEM_PROPERTIES as readonly string[]).includes(name))
			throw new Error(
				`The emulator plays only the system properties ${SYSTEM_PROPERTIES.join(', ')} (got ${JSON.stringify(name.slice(0, 100))}).`,
			);
		const flag =
			value === true || value === 'true'
				? true
				: value === false || value === 'false'
					? false
					: undefined;
		if (flag === undefined)
			throw new Error(
				`${name} must be true or false (got ${JSON.stringify(value)?.slice(0, 100)}).`,
			);
		out[name as SystemProperty] = flag;
	}
	return out;
}

/** The settings `options` give, each default filled in; an unknown auth mode or initial state throws. */
export function settingsOf(options: EmulatorOptions): EmulatorSettings {
	const authMode = options.auth ?? 'none';
	if (!AUTH_MODES.includes(authMode))
		throw new Error(`auth must be one of ${AUTH_MODES.join(', ')} (got "${authMode}").`);
	const initialState = options.initialState ?? 'open';
	if (!isIssueState(initialState))
		throw new Error(`initialState must be one of ${ISSUE_STATES.join(', ')}.`);
	return {
		authMode,
		initialState,
		tokenTtlSeconds: options.tokenTtlSeconds ?? 1800,
		maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
		maxBatchBytes: options.maxBatchBytes ?? 10 * 1024 * 1024,
		batchTimeLimitMs: options.batchTimeLimitMs ?? 30_000,
		maxBatchItemOutputBytes: options.maxBatchItemOutputBytes ?? 10 * 1024 * 1024,
		maxBatchAnswerBytes: options.maxBatchAnswerBytes ?? 32 * 1024 * 1024,
		maxIssues: options.maxIssues ?? 200_000,
		maxContentBytes: options.maxContentBytes ?? 256 * 1024 * 1024,
		control: options.control ?? true,
		responseIdKey: options.responseIdKey ?? 'experience_id',
		properties: readProperties(options.properties),
	};
}
