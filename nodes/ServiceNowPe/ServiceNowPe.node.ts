/**
 * The action node. Versioned: a saved workflow keeps the version it was made with, and with it
 * that version's outputs and parameters; new workflows get the default (latest) version.
 */
import {
	VersionedNodeType,
	type INodeTypeBaseDescription,
	type IVersionedNodeType,
} from 'n8n-workflow';
import { ServiceNowPeV1 } from './v1/ServiceNowPeV1.node';

export class ServiceNowPe extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'ServiceNow Proactive Engagement',
			name: 'serviceNowPe',
			icon: { light: 'file:servicenow.svg', dark: 'file:servicenow.dark.svg' },
			group: ['output'],
			description:
				'Create ServiceNow Proactive Engagement experience issues from monitoring data, with a branch for each documented error',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new ServiceNowPeV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
