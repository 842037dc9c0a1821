/** ServiceNow's XML envelope <-> plain objects, through fast-xml-parser (bundled: ./xmlParser). */
import { XMLBuilder, XMLParser, XMLValidator } from './xmlParser';
import { isPlainObject, setOwn } from './values';

export class XmlBodyError extends Error {}

const parser = new XMLParser({
	ignoreAttributes: true,
	ignoreDeclaration: true,
	ignorePiTags: true,
	// Every value stays a string, as the API's fields are strings ("Number (parsed as a string)").
	parseTagValue: false,
	parseAttributeValue: false,
	trimValues: true,
	// Only the five predefined entities are decoded; DOCTYPE is refused before parsing.
	processEntities: true,
	htmlEntities: false,
});

const builder = new XMLBuilder({
	ignoreAttributes: true,
	format: false,
	suppressEmptyNode: false,
	processEntities: true,
});

/** Largest nesting depth accepted in an XML or JSON body (the API's fields nest three levels). */
export const MAX_NESTING_DEPTH = 32;

/**
 * The `>` that ends the tag whose name starts at `from`: a `>` (or `/>`) inside a quoted
 * attribute value ends nothing, as the parser reads it. -1 when the tag never ends.
 */
function tagEnd(xml: string, from: number): number {
	for (let i = from; i < xml.length; i++) {
		const c = xml.charCodeAt(i);
		if (c === 0x3e) return i;
		if (c === 0x22 || c === 0x27) {
			i = xml.indexOf(xml[i], i + 1);
			if (i < 0) return -1;
		}
	}
	return -1;
}

/**
 * Whether elements nest deeper than `max`, in one pass over the text (each character is looked
 * at once), before the parser, which recurses per level, sees it.
 */
export function xmlNestedDeeperThan(xml: string, max: number): boolean {
	let depth = 0;
	let at = xml.indexOf('<');
	while (at >= 0) {
		const next = xml[at + 1];
		let end: number;
		if (xml.startsWith('<!--', at)) end = xml.indexOf('-->', at + 4) + 2;
		else if (xml.startsWith('<![CDATA[', at)) end = xml.indexOf(']]>', at + 9) + 2;
		else {
			end = tagEnd(xml, at + 1);
			if (end > 0 && next === '/') depth = Math.max(0, depth - 1);
			else if (end > 0 && next !== '?' && next !== '!' && xml[end - 1] !== '/' && ++depth > max)
				return true;
		}
		// Unclosed: the validator says what is wrong.
		if (end < at) return false;
		at = xml.indexOf('<', end + 1);
	}
	return false;
}

/**
 * Parses an XML request body of any root element into the object under that root.
 * Throws XmlBodyError with a message that says what is wrong.
 */
export function parseXmlBody(xml: string): Record<string, unknown> {
	if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
		throw new XmlBodyError(
			'XML bodies must not contain a DOCTYPE or entity declarations; remove them and send plain elements.',
		);
	}
	NOT_XML.lastIndex = 0;
	const forbidden = NOT_XML.exec(xml);
	if (forbidden) {
		const line = xml.slice(0, forbidden.index).split('\n').length;
		throw new XmlBodyError(
			`XML 1.0 does not allow the character U+${forbidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (line ${line}): remove it or send JSON.`,
		);
	}
	if (xmlNestedDeeperThan(xml, MAX_NESTING_DEPTH)) {
		throw new XmlBodyError(
			`XML body is nested deeper than ${MAX_NESTING_DEPTH} levels; the API's fields nest three.`,
		);
	}
	const valid = XMLValidator.validate(xml);
	if (valid !== true) {
		// Where, and the validator's kind of error; never the body's own text (it may hold secrets).
		throw new XmlBodyError(
			`Malformed XML at line ${valid.err.line}, column ${valid.err.col} (${valid.err.code}).`,
		);
	}
	const doc: unknown = parser.parse(xml);
	if (!isPlainObject(doc)) throw new XmlBodyError('XML body has no root element.');
	const roots = Object.keys(doc);
	if (roots.length !== 1) {
		throw new XmlBodyError(
			'XML body must have exactly one root element, e.g. <request>…</request>.',
		);
	}
	const root = doc[roots[0]];
	if (root === '' || root === undefined) return {};
	if (!isPlainObject(root)) {
		throw new XmlBodyError(
			'The XML root element must contain the request fields as child elements.',
		);
	}
	return root;
}

/** C0 controls XML 1.0 does not allow: all but tab, LF and CR. */
const C0_NOT_XML = Array.from({ length: 32 }, (_, code) => code)
	.filter((code) => code !== 0x09 && code !== 0x0a && code !== 0x0d)
	.map((code) => String.fromCharCode(code))
	.join('');

/** Characters XML 1.0 does not allow in a document (those C0 controls; U+FFFE, U+FFFF; lone surrogates). */
const NOT_XML = new RegExp(
	`[${C0_NOT_XML}\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]`,
	'g',
);

/** Serialises an object as an XML document under `root`; keys become valid element names. */
export function toXmlDocument(root: string, body: Record<string, unknown>): string {
	// A character XML cannot carry (e.g. the ESC of colour codes in log text) becomes U+FFFD.
	return (
		'<?xml version="1.0" encoding="UTF-8"?>' +
		builder.build({ [root]: xmlSafe(body) }).replace(NOT_XML, '\uFFFD')
	);
}

/** Serialises a response object as `<response>…</response>`. */
export function toXmlResponse(body: Record<string, unknown>): string {
	return toXmlDocument('response', body);
}

/** Parses a ServiceNow XML response (`<response>…</response>`) into the object under the root. */
export function parseXmlResponse(xml: string): Record<string, unknown> {
	return parseXmlBody(xml);
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Element names must be XML names: keys such as "cpu usage" become "cpu_usage". */
function xmlSafe(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(xmlSafe);
	if (!isPlainObject(value)) return value === null || value === undefined ? '' : value;
	const out: Record<string, unknown> = {};
	for (const [key, v] of Object.entries(value)) {
		let name = key.replace(/[^A-Za-z0-9_.-]/g, '_');
		if (!XML_NAME.test(name)) name = `_${name}`;
		setOwn(out, name, xmlSafe(v));
	}
	return out;
}
