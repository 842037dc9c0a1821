import { config } from '@n8n/node-cli/eslint';

// The whole repository's lint (`npm run lint`): n8n's community-node rules (the config n8n's own
// CLI applies) for everything, relaxed where the code is not node code. eslint.config.mjs is n8n's
// default, unchanged (strict mode); `n8n-node lint` applies it to the nodes package's sources
// (scripts/n8n-node-lint.js). The standalone emulator server, its command line and the tests are
// not node code: they may use the process, timers and the console, and their dev-only imports.
const notNodeCode = [
	'emulator/server.ts',
	'emulator/serverOptions.ts',
	'emulator/store/**/*.ts',
	'emulator/cli.ts',
	'index.ts',
	'test/**/*.ts',
	'scripts/**/*.ts',
	'bench/**/*.ts',
];

export default [
	...config,
	{
		ignores: [
			'**/dist/**',
			'node_modules/**',
			'coverage/**',
			'.tmp/**',
			'.dev/**',
			'gulpfile.js',
			'jest.config.js',
		],
	},
	{
		files: notNodeCode,
		rules: {
			'@n8n/community-nodes/no-restricted-globals': 'off',
			'@n8n/community-nodes/no-restricted-imports': 'off',
		},
	},
	{
		// The contract, the emulator core and the standalone server know nothing of n8n (no node, no
		// item to attach an error to): their errors are caught by the adapters and answered over HTTP.
		files: ['contract/**/*.ts', 'emulator/**/*.ts', ...notNodeCode],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
	{
		// A command-line program talks on the console.
		files: ['emulator/cli.ts'],
		rules: { 'no-console': 'off' },
	},
	{
		files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
		rules: {
			'no-console': 'off',
			// Tests and tools start emulators and n8n as child processes, and read JSON loosely.
			'@n8n/community-nodes/no-dangerous-functions': 'off',
			// Test fixtures: the emulator's made-up accounts, never real secrets.
			'@n8n/community-nodes/no-hardcoded-secrets': 'off',
			'@typescript-eslint/no-explicit-any': 'off',
			// fast-check's documented style is `fc.property(fc.string(), …)` through its default export.
			'import-x/no-named-as-default-member': 'off',
		},
	},
	{
		// A devDependency: the build bundles it into this module's output (scripts/bundle-xml-parser.js).
		files: ['contract/xmlParser.ts'],
		rules: { '@n8n/community-nodes/no-restricted-imports': 'off' },
	},
	{
		// One direction between the parts: no import cycle anywhere; what the nodes share imports
		// only the contract, never a node's own parts; only the emulator trigger runs the emulator.
		files: ['**/*.ts'],
		// The import rules read the files imported too: as TypeScript (else they see no imports).
		settings: {
			'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
			'import-x/extensions': ['.ts', '.js'],
		},
		rules: {
			'import-x/no-cycle': 'error',
			'import-x/no-restricted-paths': [
				'error',
				{
					zones: [
						{
							target: './nodes/ServiceNowPe/shared',
							from: [
								'./nodes/ServiceNowPe/v1',
								'./nodes/ServiceNowPe/trigger',
								'./nodes/ServiceNowPe/emulatorTrigger',
								'./nodes/ServiceNowPe/sources',
							],
							message: 'shared/ is what the nodes share: it may import contract/ only.',
						},
						{
							target: './nodes/ServiceNowPe/sources',
							from: [
								'./nodes/ServiceNowPe/v1',
								'./nodes/ServiceNowPe/trigger',
								'./nodes/ServiceNowPe/emulatorTrigger',
							],
						},
						{
							target: [
								'./nodes/ServiceNowPe/trigger',
								'./nodes/ServiceNowPe/ServiceNowPeTrigger.node.ts',
								'./nodes/ServiceNowPe/ServiceNowPeEmulatorTrigger.node.ts',
								'./nodes/ServiceNowPe/emulatorTrigger',
							],
							from: './nodes/ServiceNowPe/v1',
							message: 'The triggers share with the action node through shared/ only.',
						},
						{
							target: [
								'./nodes/ServiceNowPe/trigger',
								'./nodes/ServiceNowPe/ServiceNowPeTrigger.node.ts',
							],
							from: './nodes/ServiceNowPe/emulatorTrigger',
						},
						{
							target: [
								'./nodes/ServiceNowPe/shared',
								'./nodes/ServiceNowPe/v1',
								'./nodes/ServiceNowPe/trigger',
								'./nodes/ServiceNowPe/sources',
								'./credentials',
							],
							from: './emulator',
							message: 'Only the emulator trigger runs the emulator.',
						},
						{
							target: './contract',
							from: ['./nodes', './credentials', './emulator'],
							message: 'contract/ is what everything shares: it imports nothing of ours.',
						},
					],
				},
			],
		},
	},
];
