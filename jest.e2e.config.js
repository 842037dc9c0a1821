/** End-to-end tests against a real n8n process (`npm run test:e2e`). */
/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	transform: { '^.+\\.ts$': 'ts-jest' },
	// Every temporary folder a test file makes goes when it ends.
	setupFilesAfterEnv: ['<rootDir>/test/helpers/cleanTemp.ts'],
	testTimeout: 120_000,
	maxWorkers: 1,
};
