import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { ISSUE_STATES, type IssueState } from '../../contract/api';
import { text } from '../../contract/values';
import { picker } from './shared/descriptions';
import * as listSearch from './shared/methods/listSearch';
import { poll, type PollEvent } from './trigger/poll';
import { authenticationProperty, instanceCredentials } from './shared/authentication';

const STATE_NAMES: Record<IssueState, string> = {
	open: 'Open',
	in_progress: 'In Progress',
	action_wait: 'Action Wait (Ready to Chain)',
	closed: 'Closed',
	close_skipped: 'Closed Skipped (User in a Virtual Agent Conversation)',
};

const EVENTS: INodePropertyOptions[] = [
	{
		name: 'Fallback Incident Created',
		value: 'fallbackIncident',
		description: 'A resolution failed and ServiceNow opened an incident for it',
	},
	{ name: 'Issue Created', value: 'created' },
	{
		name: 'State Changed',
		value: 'stateChanged',
		description: 'An issue reached one of the chosen states',
	},
];

/** The canvas subtitle: the chosen events by their names, in the order chosen. */
const EVENT_NAMES = Object.fromEntries(EVENTS.map((e) => [e.value, e.name]));
const SUBTITLE = `={{ [].concat($parameter["events"] || []).map((e) => (${JSON.stringify(EVENT_NAMES)})[e] || e).join(", ") }}`;

export class ServiceNowPeTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ServiceNow Proactive Engagement Trigger',
		name: 'serviceNowPeTrigger',
		icon: { light: 'file:servicenow.svg', dark: 'file:servicenow.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: SUBTITLE,
		// n8n's node creator shows this node and the action node as one entry, with this description.
		description:
			'Create experience issues in ServiceNow Proactive Engagement from monitoring alerts, and start workflows when issues are created, change state or fall back to an incident',
		defaults: { name: 'ServiceNow PE Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: instanceCredentials,
		properties: [
			authenticationProperty,
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: EVENTS,
				default: ['stateChanged'],
			},
			{
				displayName: 'States',
				name: 'states',
				type: 'multiOptions',
				options: ISSUE_STATES.map((value) => ({ name: STATE_NAMES[value], value })),
				default: ['action_wait', 'closed'],
				displayOptions: { show: { events: ['stateChanged'] } },
				description:
					'The states that start the workflow (action_wait: the issue waits for its next issue code)',
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				options: [
					picker(
						{
							displayName: 'Issue Code',
							name: 'issueCode',
							description: 'Only issues that carry this issue code now',
						},
						'issueCodeSearch',
						'e.g. 102',
						'By Code',
					),
					picker(
						{
							displayName: 'Provider',
							name: 'provider',
							description: 'Only issues of this provider',
						},
						'providerSearch',
						'e.g. sn',
						'By Code',
					),
					picker(
						{ displayName: 'User', name: 'user', description: 'Only issues of this user' },
						'userSearch',
						'sys_id',
						'By Sys_id',
					),
				],
			},
			{
				displayName: 'Max Events per Poll',
				name: 'maxEvents',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 5000 },
				default: 500,
				description:
					'Issues created, issue changes and fallback incidents past this number (each counted on its own) wait for the next poll; nothing is skipped',
			},
		],
	};

	methods = { listSearch };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const value = (name: string) =>
			text(this.getNodeParameter(`filters.${name}`, '', { extractValue: true }));
		return poll(this, {
			events: this.getNodeParameter('events', []) as PollEvent[],
			states: this.getNodeParameter('states', []) as IssueState[],
			issueCode: value('issueCode'),
			provider: value('provider'),
			user: value('user'),
			maxEvents: Number(this.getNodeParameter('maxEvents', 500)) || 500,
		});
	}
}
