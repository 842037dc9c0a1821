/** What the operations hand the router: requests ready to send, or finished items. */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { CreateIssueBody, Namespace } from '../../../../contract/api';
import type { BodyProblem, RequestFormat } from '../../../../contract/body';
import type { CatalogueEntry } from '../../../../contract/errors';
import type { Connection, RetryPolicy } from '../../shared/transport/request';
import type { ChainBase } from '../engine/recoveryRead';

export interface SendOptions {
	requestFormat: RequestFormat;
	namespace: Namespace;
	concurrency: number;
	timeoutMs: number;
	policy: RetryPolicy;
	dryRun: boolean;
	/** One request per item, or items sent together through the Batch API. */
	sendMode: 'perItem' | 'batch';
	/** Items per Batch API request. */
	batchSize: number;
}

/** One create request to send, or the reason it cannot be sent, tied to its input item. */
export interface Prepared {
	itemIndex: number;
	input: IDataObject;
	/** Extra fields for the output item (e.g. the alert it came from). */
	context?: IDataObject;
	body?: CreateIssueBody;
	problems?: BodyProblem[];
	/** Known before sending: a routed error (e.g. CI not found, chain state). */
	refusal?: { entry: CatalogueEntry; message: string; detail: string; field?: string };
	/** Not sent on purpose (a resolved alert): goes to the Skipped output. */
	skipped?: string;
	/** From a monitoring alert: a problem routes to its branch instead of failing the node. */
	fromAlert?: boolean;
	/** The issue as read before a chain (its issue code history), to recover a chain whose answer was lost. */
	chainBase?: ChainBase;
	/** Look `host` up in cmdb_ci_computer for the endpoint's CI (Resolve CI From Host Name). */
	lookUpHost?: boolean;
	/** The same issue as an earlier request of the item (same endpoint and issue code): not sent, it ends where that one does. */
	sameIssueAs?: Prepared;
}

/**
 * An operation's outputs: fixed names, or the Error Routing mode's outputs plus "Skipped" unless
 * the parameter `skippedUnless[0]` has the value `skippedUnless[1]`.
 */
export interface OperationOutputs {
	names?: string[];
	/** The first output's name and the items' `outcome` when the request succeeds (default Created, created). */
	success?: [string, string];
	skippedUnless?: [string, string];
	/** ...and also then, when the parameter `skippedWhen[0]` has the value `skippedWhen[1]`. */
	skippedWhen?: [string, string];
}

/** Create and Chain: read parameters → build → validate; the router sends, classifies and routes. */
export interface SendingOperation {
	description: INodeProperties[];
	outputs: OperationOutputs;
	prepare(
		ctx: IExecuteFunctions,
		connection: Connection,
		options: SendOptions,
	): Promise<Prepared[]>;
}

/** Get: reads and outputs on its own. */
export interface ReadingOperation {
	description: INodeProperties[];
	outputs: Required<Pick<OperationOutputs, 'names'>>;
	execute(
		ctx: IExecuteFunctions,
		connection: Connection,
		options: SendOptions,
	): Promise<INodeExecutionData[][]>;
}
