export * from './emulator';
export { parseSeed, defaultSeed, Registry, SeedError, type Seed } from './registry';
export { parseFaultSpec, FaultSpecError, type FaultSpec, type Fault } from './faults';
export type { EmulatorRequest, EmulatorResponse } from './http';
export type { JournalEntry } from './journal';
export type { IssueRecord } from './issues';
