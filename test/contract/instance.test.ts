/** Instance URLs as people type them, read the same by the node and inside n8n's credential expressions. */
import { Workflow } from 'n8n-workflow';
import { InstanceUrlError, instanceBaseUrl, normaliseInstanceUrl } from '../../contract/instance';
import { instanceUrlExpression } from '../../credentials/instance';
import { nodeTypesOf, workflowNode } from '../helpers/n8n';

const CASES: Array<[string, string]> = [
	['dev12345', 'https://dev12345.service-now.com'],
	['  DEV12345 ', 'https://DEV12345.service-now.com'],
	['dev12345.service-now.com', 'https://dev12345.service-now.com'],
	['dev12345.service-now.com/', 'https://dev12345.service-now.com'],
	['https://dev12345.service-now.com///', 'https://dev12345.service-now.com'],
	['acme.servicenowservices.com', 'https://acme.servicenowservices.com'],
	[
		'https://dev12345.service-now.com/now/nav/ui/classic/params/target/incident_list.do',
		'https://dev12345.service-now.com',
	],
	[
		'https://dev12345.service-now.com/nav_to.do?uri=%2Fincident.do',
		'https://dev12345.service-now.com',
	],
	['https://itsm.example.org/servicenow', 'https://itsm.example.org/servicenow'],
	['127.0.0.1:8787', 'http://127.0.0.1:8787'],
	[
		'localhost:5678/webhook/servicenow-emulator',
		'http://localhost:5678/webhook/servicenow-emulator',
	],
	['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
	// An API address pasted: the instance (or the emulator prefix) it is under.
	['https://dev12345.service-now.com/api/now/table/incident', 'https://dev12345.service-now.com'],
	[
		'http://127.0.0.1:5678/webhook/servicenow-emulator/api/sn_pren/self_remediation/experience_issue/create',
		'http://127.0.0.1:5678/webhook/servicenow-emulator',
	],
];

describe('the Instance URL', () => {
	it.each(CASES)('reads %j as %s', (typed, base) => {
		expect(instanceBaseUrl(typed)).toBe(base);
		expect(normaliseInstanceUrl(typed)).toBe(base);
	});

	it('says what is wrong with one it cannot use', () => {
		expect(() => normaliseInstanceUrl('')).toThrow(
			'Instance URL is empty: enter the instance name (dev12345) or its URL, e.g. https://dev12345.service-now.com',
		);
		expect(() => normaliseInstanceUrl('ftp://dev12345.service-now.com')).toThrow(
			'Instance URL must start with https:// or http:// (got "ftp:").',
		);
		expect(() => normaliseInstanceUrl('https://dev12345.service-now.com/api?x=1')).toThrow(
			/must not contain a query/,
		);
		expect(() => normaliseInstanceUrl('dev 12345')).toThrow(InstanceUrlError);
		// An empty query or fragment is still one: requests would go to "/?/api/…".
		for (const typed of [
			'https://dev12345.service-now.com?',
			'https://dev12345.service-now.com/#',
			'https://dev12345.service-now.com/?',
		]) {
			expect(() => normaliseInstanceUrl(typed)).toThrow(/must not contain a query/);
		}
	});

	it('is read the same inside n8n expressions (credential test, OAuth2 URLs)', () => {
		const workflow = new Workflow({
			id: 'w',
			nodes: [workflowNode('t', 'N')],
			connections: {},
			active: false,
			nodeTypes: nodeTypesOf({ t: { description: { properties: [] } } as never }),
		});
		for (const [typed, base] of CASES) {
			const evaluate = (expression: string) =>
				workflow.expression.getParameterValue(
					expression,
					null,
					0,
					0,
					'N',
					[{ json: { instanceUrl: typed } }],
					'internal',
					{},
				);
			expect(evaluate(instanceUrlExpression('$json'))).toBe(base);
			expect(evaluate(instanceUrlExpression('$json', '/oauth_token.do'))).toBe(
				`${base}/oauth_token.do`,
			);
		}
	});
});
