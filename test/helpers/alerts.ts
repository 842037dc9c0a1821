/** Monitoring alerts for the action node's Build From: the vendors' samples, and an Alertmanager webhook made to measure. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
