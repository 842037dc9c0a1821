/**
 * Dynatrace problem notifications: a custom integration's webhook whose payload the admin writes
 * with Dynatrace's placeholders; read with the documented example's field names ({State},
 * {ProblemID}, {PID}, {ProblemTitle}, {ImpactedEntities}, {ImpactedEntity}, {ProblemImpact},
 * {ProblemSeverity}, {ProblemURL} — "Problem URL" in the example —, {Tags}, {ProblemDetailsJSON},
 * {ProblemDetailsText}), also inside `data` (a CloudEvent, as a relay such as Keptn's wraps it).
 * One alert per impacted host; a problem on no host (a service, a synthetic monitor) is one alert
 * about that entity.
 */
import { isPlainObject, setOwn, text } from '../../../contract/values';
import {
	SourceFormatError,
	firstOf,
	hostName,
	isoFromEpochMs,
	type MonitoringSource,
	type NormalisedAlert,
} from './types';

/** The placeholders' fields: {State}, {ProblemID} or {PID}, and one more. */
export const isDynatraceProblem = (p: Record<string, unknown>) =>
	typeof p.State === 'string' &&
	(typeof p.ProblemID === 'string' || typeof p.PID === 'string') &&
	[
		'ProblemTitle',
		'ImpactedEntities',
		'ImpactedEntity',
		'ProblemDetailsJSON',
		'ProblemDetails',
		'ProblemURL',
		'Problem URL',
	].some((k) => k in p);

/** "team:web, critical" → {team: "web", critical: "true"}. */
function parseTags(tags: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const tag of tags
		.split(',')
		.map((t) => t.trim())
		.filter(Boolean)) {
		const at = tag.indexOf(':');
		setOwn(out, at < 0 ? tag : tag.slice(0, at).trim(), at < 0 ? 'true' : tag.slice(at + 1).trim());
	}
	return out;
}

interface Entity {
	type: string;
	name: string;
	id: string;
	/** Place in ImpactedEntities, for the output to show only its own. */
	entry?: number;
}

function entitiesOf(problem: Record<string, unknown>): Entity[] {
	if (Array.isArray(problem.ImpactedEntities))
		return problem.ImpactedEntities.map((e: unknown, entry) =>
			isPlainObject(e)
				? { type: text(e.type), name: text(e.name), id: text(e.entity), entry }
				: { type: '', name: '', id: '', entry },
		).filter((e) => e.name || e.id);
	// Only the names ({ImpactedEntity}): their types are unknown, each may be a host.
	return text(problem.ImpactedEntity)
		.split(',')
		.map((n) => n.trim())
		.filter(Boolean)
		.map((name) => ({ type: '', name, id: '' }));
}

function extract(payload: Record<string, unknown>): NormalisedAlert[] {
	const problem = isDynatraceProblem(payload)
		? payload
		: isPlainObject(payload.data) && isDynatraceProblem(payload.data)
			? payload.data
			: undefined;
	if (!problem)
		throw new SourceFormatError(
			`The item is not ${dynatrace.what}: expected ${dynatrace.expects}.`,
		);
	const details = isPlainObject(problem.ProblemDetailsJSON)
		? problem.ProblemDetailsJSON
		: isPlainObject(problem.ProblemDetails)
			? problem.ProblemDetails
			: {};
	const state = text(problem.State).toUpperCase();
	const status: NormalisedAlert['status'] =
		state === 'RESOLVED' || state === 'CLOSED' ? 'resolved' : 'firing';
	const labels: Record<string, string> = {
		...parseTags(text(problem.Tags)),
		State: state,
		ProblemImpact: text(problem.ProblemImpact) || text(details.impactLevel),
		ProblemSeverity: text(problem.ProblemSeverity) || text(details.severityLevel),
	};
	const title = text(problem.ProblemTitle) || text(details.title) || text(details.displayName);
	const problemId = firstOf(problem, 'ProblemID') || text(details.displayName);
	const pid = firstOf(problem, 'PID') || text(details.id);
	const base = {
		source: 'dynatrace',
		name: title || problemId,
		status,
		...(state === 'MERGED'
			? { ignored: 'The problem was merged into another: that one is the problem to act on.' }
			: {}),
		labels,
		annotations: { problemId },
		metrics: [],
		context: {
			summary: title,
			description: text(problem.ProblemDetailsText),
			severity: labels.ProblemSeverity || labels.ProblemImpact,
			startedAt: isoFromEpochMs(details.startTime),
			links: { source: firstOf(problem, 'ProblemURL', 'Problem URL') },
		},
	};
	const entities = entitiesOf(problem);
	const typed = entities.some((e) => e.type);
	const hosts = typed ? entities.filter((e) => e.type.toUpperCase() === 'HOST') : entities;
	if (hosts.length === 0) {
		const about = entities[0];
		return [
			{
				...base,
				host: '',
				resource: about
					? { name: about.name || about.id, kind: `a Dynatrace ${about.type || 'entity'}` }
					: { name: base.name, kind: 'a Dynatrace problem that names no entity' },
				fingerprint: `${pid || problemId}|${about?.id || about?.name || ''}`,
				...(about?.entry !== undefined ? { entry: about.entry, entryIn: 'ImpactedEntities' } : {}),
			},
		];
	}
	return hosts.map((h) => ({
		...base,
		host: hostName(h.name),
		fingerprint: `${pid || problemId}|${h.id || h.name}`,
		...(h.entry !== undefined ? { entry: h.entry, entryIn: 'ImpactedEntities' } : {}),
	}));
}

export const dynatrace = {
	name: 'dynatrace',
	label: 'Dynatrace',
	description:
		"Dynatrace problem notification (custom integration with the documented example's placeholders)",
	what: 'a Dynatrace problem notification',
	expects:
		'"State": "{State}" with "ProblemID": "{ProblemID}" or "PID": "{PID}", and "ProblemTitle", "ImpactedEntities" or "ImpactedEntity", as in Dynatrace\'s example payload (also inside a CloudEvent\'s "data")',
	looksLike: (p) => isDynatraceProblem(p) || (isPlainObject(p.data) && isDynatraceProblem(p.data)),
	extract,
} as const satisfies MonitoringSource;
