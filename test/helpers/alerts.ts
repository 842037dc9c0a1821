/** Monitoring alerts for the action node's Build From: the vendors' samples, and an Alertmanager webhook made to measure. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSeed } from '../../emulator/core';
import { BASIC, runAction } from './action';
import { ABEL, BETH, DAVID, createBodies, emulatorForSuite, tableQueries } from './http';

/** The vendor samples' folder (provenance in its README). */
export const VENDOR_SAMPLES = join(__dirname, '..', 'fixtures', 'vendors');

/** A vendor sample, by its path under test/fixtures/vendors. */
export const vendor = (path: string) =>
	JSON.parse(readFileSync(join(VENDOR_SAMPLES, path), 'utf8'));

/**
 * An Amazon SNS HTTP/S message as n8n's Webhook node hands it on: SNS posts with
 * `Content-Type: text/plain; charset=UTF-8`, which n8n keeps as text: `body` is the JSON as a string.
 */
export const snsWebhookItem = (message: Record<string, unknown>) => ({
	headers: {
		'content-type': 'text/plain; charset=UTF-8',
		'x-amz-sns-message-type': String(message.Type),
		'user-agent': 'Amazon Simple Notification Service Agent',
	},
	params: {},
	query: {},
	body: JSON.stringify(message, null, 2),
});

/** An Alertmanager webhook (version 4) as it sends one, an alert firing for each set of labels. */
export const alertGroup = (alerts: Array<Record<string, string>>) => ({
	receiver: 'n8n',
	status: 'firing',
	alerts: alerts.map((labels) => ({
		status: 'firing',
		labels,
		annotations: {},
		startsAt: '2026-11-28T08:00:00Z',
		endsAt: '0001-01-01T00:00:00Z',
		generatorURL: '',
		fingerprint: '',
	})),
	groupLabels: {},
	commonLabels: {},
	commonAnnotations: {},
	externalURL: 'http://alertmanager:9093',
	version: '4',
	groupKey: '{}:{}',
	truncatedAlerts: 0,
});

/** The samples' host names, each a computer of the CMDB assigned to a user. */
const SAMPLE_HOSTS: Array<[string, string]> = [
	['example1', ABEL.sys_id],
	['example2', BETH.sys_id],
	['example3', DAVID.sys_id],
	['prometheus.io', ABEL.sys_id],
	['example.com', BETH.sys_id],
	['localhost', DAVID.sys_id],
	['sadhost.example.com', BETH.sys_id],
	['wcus-r2-gen2', ABEL.sys_id],
	['test-storageAccount', BETH.sys_id],
	['testvm', DAVID.sys_id],
	['test-computer', ABEL.sys_id],
	['test-VM', BETH.sys_id],
	['i-3b93aafb', ABEL.sys_id],
	['ip-012345', BETH.sys_id],
	['my-host', DAVID.sys_id],
	['i-0f672ea50a80cda4b', ABEL.sys_id],
	['TestInstance', BETH.sys_id],
	['main_app-UBUNTU', DAVID.sys_id],
	['MyHost1', ABEL.sys_id],
	['www.example.com', DAVID.sys_id],
	['Zabbix server', BETH.sys_id],
];
/** A made-up sys_id per seeded host: 32 hex characters derived from the name. */
export const CI = (host: string) => Buffer.from(host).toString('hex').padEnd(32, '0').slice(0, 32);

/** The two Send Modes, for tests that run the same case through both. */
export const SEND_MODES: Array<[string, Record<string, unknown>]> = [
	['one request per item', {}],
	['Batch API', { sendMode: 'batch' }],
];

/** Parameters with these Options (concurrency 1 as buildFromSuite's, and a Send Mode). */
export const withOptions = (
	parameters: Record<string, unknown>,
	options: Record<string, unknown>,
): Record<string, unknown> => ({
	...parameters,
	options: { concurrency: 1, ...options, ...(parameters.options as Record<string, unknown>) },
});

/** An issue code rule: by alert name, or by the value of a label. */
export const rule = (value: string, issueCode: string, label?: string) =>
	label ? { match: 'label', label, value, issueCode } : { match: 'alertName', value, issueCode };

/** A create's request body: this endpoint and issue code, provider sn, and `more`. */
export const requestBody = (
	endpoint: Record<string, string>,
	issueCode: string,
	more: Record<string, unknown> = {},
) => ({ endpoint, issue_code: issueCode, provider: 'sn', ...more });

/** A create's request body for the computer of a seeded host, with these investigative details. */
export const hostBody = (host: string, issueCode: string, details?: Record<string, string>) =>
	requestBody({ CI: CI(host) }, issueCode, details ? { investigative_details: details } : {});

/**
 * One emulator for a test file, reset before each test, its CMDB holding the samples' hosts (real
 * alerts name hosts, not users: the computer gives the CI, and its assigned user); Build From
 * through the action node against it, and what reached it.
 */
export function buildFromSuite() {
	const seed = defaultSeed();
	for (const [name, user] of SAMPLE_HOSTS)
		seed.cis.push({ sys_id: CI(name), name, assigned_to: user });
	const sn = emulatorForSuite({ auth: 'basic', seed });
	/** Runs payloads through the node; alert context is left out unless a test asks for it. */
	const run = (source: string, payloads: unknown[], parameters: Record<string, unknown> = {}) =>
		runAction({
			items: payloads as Array<Record<string, unknown>>,
			credentials: BASIC(sn.url),
			parameters: {
				source,
				resolveCiFromHost: true,
				alertContext: [],
				options: { concurrency: 1 },
				...parameters,
			},
		});
	return {
		sn,
		run,
		/** A runner of samples of `folder` (their file names) through Build From `source`, as `run`. */
		samplesOf:
			(source: string, folder: string) =>
			(files: string[], parameters: Record<string, unknown> = {}) =>
				run(
					source,
					files.map((f) => vendor(`${folder}/${f}`)),
					parameters,
				),
		sentBodies: () => createBodies(sn),
		ciLookups: () => tableQueries(sn, 'cmdb_ci_computer'),
		/** The investigative_details of each create sent. */
		details: () => createBodies(sn).map((b) => b.investigative_details),
	};
}
