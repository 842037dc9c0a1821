/**
 * What an entry of the Proactive Engagement error catalogue is: the one home of its shape (code,
 * status, message, branch output, group, next step). The entries are in documentedErrors.ts (the
 * API document's) and platformErrors.ts (a real instance's others); errors.ts looks them up.
 */

/** Outcome groups used by the action node's "Grouped" routing. */
export type ErrorGroup = 'alreadyBeingResolved' | 'fixInput' | 'failed';

export interface CatalogueEntry {
	/** Stable machine-readable code; part of the package's public contract. */
	readonly code: string;
	/** HTTP status the instance answers with. */
	readonly status: number;
	/** Message exactly as the API document words it (or as ServiceNow words undocumented ones). */
	readonly message: string;
	/** Default `detail` of the error envelope: the document's explanation of the error. */
	readonly detail: string;
	/** Name of the action node's branch output for this error. */
	readonly output: string;
	readonly group: ErrorGroup;
	/** True for the 400 errors the API document lists. */
	readonly documented: boolean;
	/**
	 * Position of the error's own output among the node's documented-error branches (1 = first
	 * after Created). Saved workflows connect outputs by position, so these never change.
	 */
	readonly branch?: number;
	/** What to do about it, for whoever reads the outcome (a builder's notification, an AI agent). */
	readonly nextStep: string;
}

/** An entry of the catalogue, frozen. */
export function entry(e: CatalogueEntry): CatalogueEntry {
	return Object.freeze(e);
}
