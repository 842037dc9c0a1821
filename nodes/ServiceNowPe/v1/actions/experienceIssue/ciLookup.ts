/**
 * CI from host: the host an alert names is looked up in cmdb_ci_computer and its sys_id put in the
 * endpoint, each host once per execution and several at a time. What a lookup that finds nothing
 * or fails does to the alert is chosen here, in one place.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { brokenValueNote, wellFormed } from '../../../../../contract/encodedQuery';
import { PLATFORM_ERRORS } from '../../../../../contract/errors';
import type { Connection } from '../../../shared/authentication';
import { mapWithConcurrency } from '../../../shared/pool';
import { findComputer } from '../../../shared/transport/tableApi';
import type { SendOptions } from '../interfaces';
import type { AlertRequest } from './fromAlerts';

const NOT_QUERIED =
	'The host name starts with "javascript:", which an instance would run as a script: it was not looked up.';

/**
 * Looks hosts up in cmdb_ci_computer, each once per execution and several at a time, and puts the
 * CI in the endpoint. A refused read (401, 403) is a configuration error: the node fails, nothing
 * sent. Any other failed read ends that host's alerts on Other (CI_LOOKUP_FAILED), the rest go on.
 */
export async function resolveCis(
	ctx: IExecuteFunctions,
	connection: Connection,
	requests: AlertRequest[],
	options: SendOptions,
): Promise<void> {
	const wanted = requests.filter(
		(p) => p.body && !p.skipped && !p.refusal && !p.body.endpoint.CI && p.host && p.lookUpHost,
	);
	// Each host once (as first written; instances compare names without regard to case).
	const spellings = new Map<string, string>();
	for (const p of wanted) {
		const host = p.host as string;
		if (!spellings.has(host.toLowerCase())) spellings.set(host.toLowerCase(), host);
	}
	const hosts = [...spellings.values()];
	const found = new Map<string, Awaited<ReturnType<typeof findComputer>>>();
	await mapWithConcurrency(hosts, options.concurrency, async (host) => {
		const answer = await findComputer(ctx, connection, host, options);
		if (answer.result.status === 401 || answer.result.status === 403) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Looking up the CI of host "${host}" was refused (HTTP ${answer.result.status}); nothing was sent.`,
				{
					description:
						"The CMDB lookup reads cmdb_ci_computer through the Table API: give the credential's user read access to it, or turn off Resolve CI From Host Name.",
				},
			);
		}
		found.set(host.toLowerCase(), answer);
	});
	for (const p of wanted) {
		const i = p.itemIndex;
		const body = p.body as NonNullable<AlertRequest['body']>;
		const answer = found.get((p.host as string).toLowerCase());
		const namesUser = Boolean(
			body.endpoint.user_id || body.endpoint.user_name || body.endpoint.email,
		);
		if (answer?.sysId) {
			body.endpoint.CI = answer.sysId;
			p.problems = p.problems?.filter((x) => x.code !== 'ENDPOINT_MISSING');
			p.context = { ...p.context, ciResolvedFromHost: p.host };
		} else if (answer && !answer.notQueried && answer.result.status !== 200) {
			p.refusal = {
				entry: PLATFORM_ERRORS.CI_LOOKUP_FAILED,
				message: `Looking up the CI of host "${p.host}" failed (HTTP ${answer.result.status || 'no answer'}): the alert was not sent.`,
				// A query refused as too long (414, 431) is refused again: the transport says what to shorten.
				detail: `${answer.result.networkError ?? answer.result.rawText.slice(0, 200)}${[414, 431].includes(answer.result.status) ? '' : ' Send the alert again later.'}`,
				field: 'endpoint.CI',
			};
		} else if (!namesUser && ctx.getNodeParameter('ciNotFound', i, 'continue') === 'fail') {
			p.refusal = {
				entry: PLATFORM_ERRORS.CI_NOT_FOUND,
				message: `No cmdb_ci_computer record is named "${p.host}".`,
				detail: answer?.notQueried
					? NOT_QUERIED
					: wellFormed(p.host as string) !== p.host
						? brokenValueNote(p.host as string).trim()
						: 'Add the device to the CMDB, fix the host label, or choose "Continue Without CI".',
				field: 'endpoint.CI',
			};
		} else {
			p.context = { ...p.context, ciNotFoundForHost: p.host };
			// Mapped fields (an alert's problems are explained with the alert's labels).
			if (!p.alert && !namesUser)
				p.problems = p.problems?.map((x) =>
					x.code === 'ENDPOINT_MISSING'
						? {
								...x,
								message: answer?.notQueried
									? `The host name "${p.host}" was not looked up, and the item names no user (Endpoint Email, User ID or User Name). ${NOT_QUERIED}`
									: wellFormed(p.host as string) !== p.host
										? `No cmdb_ci_computer record is named "${p.host}", and the item names no user (Endpoint Email, User ID or User Name).${brokenValueNote(p.host as string)}`
										: `No cmdb_ci_computer record is named "${p.host}", and the item names no user (Endpoint Email, User ID or User Name): add the device to the CMDB under that name, map a user, or choose "Route as Failed" under When No CI Has the Host Name.`,
							}
						: x,
				);
		}
	}
}
