/** Parameter descriptions more than one node uses. */
import type { INodeProperties } from 'n8n-workflow';

/**
 * A picker: "From List" searches the instance (shared/methods/listSearch.ts); "By ID" takes the value as
 * typed or mapped (an expression, as before).
 */
export function picker(
	field: Pick<INodeProperties, 'displayName' | 'name' | 'description'> & { required?: boolean },
	searchListMethod: string,
	idPlaceholder: string,
	byId = 'By ID',
	defaultId = '',
): INodeProperties {
	return {
		...field,
		type: 'resourceLocator',
		default: { mode: defaultId ? 'id' : 'list', value: defaultId },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{ displayName: byId, name: 'id', type: 'string', placeholder: idPlaceholder },
		],
	};
}
