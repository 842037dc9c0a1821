/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
	// Types are checked by `tsc` (build and `npm run typecheck`); Jest only transpiles.
	transform: { '^.+\\.ts$': 'ts-jest' },
	// Every temporary folder a test file makes goes when it ends.
	setupFilesAfterEnv: ['<rootDir>/test/helpers/cleanTemp.ts'],
	testTimeout: 30_000,
	maxWorkers: 2,
};
