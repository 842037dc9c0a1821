/**
 * Users in an active Virtual Agent conversation: with the system property
 * sn_pren.continue_engagement_if_user_is_in_active_VA_conversation on, an experience issue created
 * for one is closed at once as close_skipped (no new conversation is started). Seeded by the
 * users' `in_active_va_conversation`, changed by the control API; not kept in the state file.
 */
import type { EmulatorState } from './context';
import { VA_CONVERSATION_PROPERTY } from './options';

/** Puts a user (sys_id or user_name, active or not) in a conversation, or ends it; false when no such user. */
export function setVaConversation(state: EmulatorState, user: string, active: boolean): boolean {
	const found = state.registry.seed.users.find((u) => u.sys_id === user || u.user_name === user);
	if (!found) return false;
	if (active) state.vaConversations.add(found.sys_id);
	else state.vaConversations.delete(found.sys_id);
	return true;
}

/** user_names of the users in a conversation, in the seed's order. */
export function vaConversationNames(state: EmulatorState): string[] {
	return state.registry.seed.users
		.filter((u) => state.vaConversations.has(u.sys_id))
		.map((u) => u.user_name);
}

/** Whether an engagement of this user is skipped (close_skipped) instead of started. */
export function skipsEngagement(state: EmulatorState, userSysId: string): boolean {
	return (
		state.settings.properties[VA_CONVERSATION_PROPERTY] && state.vaConversations.has(userSysId)
	);
}
