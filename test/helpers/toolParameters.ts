/**
 * The action node's parameters as the tool of an AI agent, each filled by the model ($fromAI): the
 * same in the workflow a real n8n runs (test/e2e) and in the one n8n-core runs here.
 */

/** Create: the user by user name, the issue code by ID (both from the model), provider sn. */
export const CREATE_TOOL_PARAMETERS = {
	operation: 'create',
	endpointUserName:
		"={{ $fromAI('user_name', 'The user name of the person whose device has the problem', 'string') }}",
	issueCode: {
		__rl: true,
		mode: 'id',
		value: "={{ $fromAI('issue_code', 'The issue code of the problem', 'string') }}",
	},
	provider: { __rl: true, mode: 'id', value: 'sn' },
};

/** Get: the issue by the experience_id the model gives. */
export const GET_TOOL_PARAMETERS = {
	operation: 'get',
	issueId: "={{ $fromAI('experience_id', 'The experience_id of the issue', 'string') }}",
};
