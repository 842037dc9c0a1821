/** The emulator's clock as text: ServiceNow's date-time and the HTTP date, each made once per second. */
import { formatGlideDateTime } from '../../contract/api';

/** A stamp of the second a time falls in, made once per second however many ask within it. */
function perSecond(format: (ms: number) => string): (ms: number) => string {
	let second = -1;
	let text = '';
	return (ms) => {
		const s = Math.floor(ms / 1000);
		if (s !== second) {
			second = s;
			text = format(s * 1000);
		}
		return text;
	};
}

/** ServiceNow's date-time format, UTC: 2026-11-28 05:26:52. */
export const glideDateTime = perSecond(formatGlideDateTime);

/** The HTTP date of every answer (RFC 9110): Sat, 28 Nov 2026 05:26:52 GMT. */
export const httpDate = perSecond((ms) => new Date(ms).toUTCString());
