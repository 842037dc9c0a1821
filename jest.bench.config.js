/** The in-process part of `npm run bench` (not part of `npm test`). */
/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/bench'],
	testMatch: ['**/*.bench.ts'],
	transform: { '^.+\\.ts$': 'ts-jest' },
	testTimeout: 300_000,
	maxWorkers: 1,
};
