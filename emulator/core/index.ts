/** The emulator core's public API: what the server, the CLI, the trigger node and users' tests use. */
export { Emulator } from './emulator';
export {
	SYSTEM_PROPERTIES,
	VA_CONVERSATION_PROPERTY,
	type EmulatorOptions,
	type EmulatorSnapshot,
	type SystemProperties,
	type SystemProperty,
} from './options';
export {
	AUTH_MODES,
	type AuthMode,
	type CreateOutcome,
	type HandleResult,
	type StateChange,
} from './context';
export {
	parseSeed,
	defaultSeed,
	DEFAULT_NOTIFICATION_CONTENT,
	SeedError,
	type Seed,
} from './registry';
export { parseFaultSpec, FaultSpecError, type FaultSpec, type Fault } from './faults';
export type { EmulatorRequest, RequestHead, ApiCall } from './request';
export type { EmulatorResponse } from './answer';
export type { Admission } from './pipeline';
export type { JournalEntry } from './journal';
export type { IssueRecord } from './issueRecord';
export type { IncidentRecord } from './incidents';
export { FORCED_OUTCOMES, type ForcedOutcome } from './engagement';
export { tokenHash, type TokenGrant, type TokenKind } from './tokens';
