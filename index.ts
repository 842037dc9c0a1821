/**
 * Programmatic API of the emulator package, servicenow-pe-emulator (packages/servicenow-pe-emulator
 * builds it from this file), for users' own tests. The n8n nodes package has no main module.
 *
 *   const { startEmulator } = require('servicenow-pe-emulator');
 *   const sn = await startEmulator({ port: 0 });   // sn.url is an instance base URL
 */
export {
	startEmulator,
	loadSeedFile,
	type StartEmulatorOptions,
	type RunningEmulator,
} from './emulator/server';
export {
	Emulator,
	defaultSeed,
	parseSeed,
	parseFaultSpec,
	type EmulatorOptions,
	type Seed,
	type FaultSpec,
	type JournalEntry,
	type IssueRecord,
} from './emulator/core';
export {
	buildCreateIssueBody,
	serialiseBody,
	type CreateIssueFields,
	type BodyProblem,
} from './contract/body';
export {
	ERROR_CATALOGUE,
	DOCUMENTED_ERRORS,
	PLATFORM_ERRORS,
	DOCUMENTED_ERROR_LIST,
	classifyDocumentedMessage,
	type CatalogueEntry,
	type ErrorCode,
} from './contract/errors';
export {
	NAMESPACES,
	TABLES,
	ISSUE_STATES,
	ENDPOINT_FIELDS,
	createIssuePath,
	type CreateIssueBody,
	type IssueState,
} from './contract/api';
