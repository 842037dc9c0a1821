/**
 * Programmatic API of n8n-nodes-servicenow-proactive-engagement, for users' own tests:
 *
 *   const { startEmulator } = require('n8n-nodes-servicenow-proactive-engagement');
 *   const sn = await startEmulator({ port: 0 });   // sn.url is an instance base URL
 */
export { startEmulator, loadSeedFile, type StartEmulatorOptions, type RunningEmulator } from './server';
export {
	Emulator,
	defaultSeed,
	parseSeed,
	type EmulatorOptions,
	type Seed,
	type FaultSpec,
	type JournalEntry,
	type IssueRecord,
} from '../nodes/shared/emulator';
export { buildCreateIssueBody, serialiseBody, type CreateIssueFields, type PayloadProblem } from '../nodes/shared/payload';
export * from '../nodes/shared/errors';
export * from '../nodes/shared/api';
