/**
 * Emulators kept per trigger node while n8n runs.
 *
 * n8n hands every webhook call a fresh copy of the workflow's static data, so two simultaneous
 * calls could each start from the same stored state and both create an issue. The in-process
 * emulator is therefore the source of truth while the process lives (its `handle` is synchronous,
 * so the core's one-issue-per-user-and-code rule holds); static data is its persistence, read when
 * a process first serves the node and rewritten after every change.
 */
import { Emulator, type EmulatorOptions, type EmulatorSnapshot } from '../../../emulator/core';

interface LiveEmulator {
	configKey: string;
	emulator: Emulator;
}

const live = new Map<string, LiveEmulator>();

export function liveEmulator(
	key: string,
	configKey: string,
	options: () => EmulatorOptions,
	stored: EmulatorSnapshot | undefined,
): Emulator {
	const found = live.get(key);
	if (found && found.configKey === configKey) return found.emulator;
	// First call in this process, or the node's settings changed: start from the stored state.
	const emulator = new Emulator({
		...options(),
		state: found ? found.emulator.snapshot() : stored,
	});
	live.set(key, { configKey, emulator });
	return emulator;
}

export function forgetEmulator(keyPrefix: string): void {
	for (const key of live.keys()) if (key.startsWith(keyPrefix)) live.delete(key);
}
