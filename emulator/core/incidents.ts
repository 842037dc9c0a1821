/** Incidents the emulator creates as the fallback of a failed resolution (readable through the Table API). */
import { newSysId } from './sysIds';

export interface IncidentRecord {
	sys_id: string;
	number: string;
	short_description: string;
	/** The experience issue's investigative details, as ServiceNow copies them over. */
	description: string;
	/** sys_id of the user (sys_user). */
	caller_id: string;
	/** sys_id of the device (cmdb_ci_computer), '' when none. */
	cmdb_ci: string;
	/** 1 = New. */
	state: string;
	/** The experience issue the incident comes from (its Origin). */
	origin_table: string;
	origin_id: string;
	/** The interaction summary: what was tried, and how it ended. */
	work_notes: string;
	sys_created_on: string;
	sys_updated_on: string;
}

export interface IncidentChange {
	kind: 'incident';
	incident: IncidentRecord;
}

export class IncidentStore {
	private incidents = new Map<string, IncidentRecord>();
	private counter = 0;

	constructor(private readonly changed: (change: IncidentChange) => void = () => undefined) {}

	create(fields: Omit<IncidentRecord, 'sys_id' | 'number' | 'state'>): IncidentRecord {
		this.counter++;
		const incident: IncidentRecord = {
			sys_id: newSysId(),
			number: `INC${String(10_000 + this.counter).padStart(7, '0')}`,
			state: '1',
			...fields,
		};
		this.incidents.set(incident.sys_id, incident);
		this.changed({ kind: 'incident', incident });
		return incident;
	}

	all(): IncidentRecord[] {
		return [...this.incidents.values()];
	}

	clear(): void {
		this.incidents.clear();
		this.counter = 0;
	}

	/** Puts back the incidents of a batch that could not be saved (absent record: it was new). */
	revert(incidents: Array<{ sys_id: string; record?: IncidentRecord }>): void {
		for (const { sys_id, record } of incidents) {
			if (record) this.incidents.set(sys_id, record);
			else if (this.incidents.delete(sys_id)) this.counter--;
		}
	}

	restore(incidents: IncidentRecord[]): void {
		this.clear();
		for (const incident of incidents) this.incidents.set(incident.sys_id, incident);
		this.counter = incidents.length;
	}
}
