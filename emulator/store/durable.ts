/**
 * A state file as the standalone server keeps it (`statePath`): the emulator starts from what the
 * file holds, every change is staged as it happens, and the server commits the changes of the
 * requests it handled together before it answers any of them (a change made by a call of the API,
 * at once). What could not be saved was never acknowledged: the held state goes back to what the
 * file holds. node:sqlite is loaded only for a state file, so Nodes without it (before 22.13)
 * still run the emulator without one.
 */
import type { Emulator, EmulatorSnapshot } from '../core';
import type * as StateFileModule from './stateFile';

export interface DurableState {
	/**
	 * Commits what is staged; false when it could not be written (locked, disk full…): not saved,
	 * so not acknowledged, and the held state goes back to what the file holds. Never throws, so
	 * no state file error ends the process.
	 */
	save(): boolean;
	/** Whether changes wait for a commit. */
	readonly pending: boolean;
	/** Saves what is staged, then lets the file and its lock go. */
	close(): void;
}

async function loadStateFile(): Promise<typeof StateFileModule> {
	try {
		return await import('./stateFile');
	} catch (e) {
		if ((e as { code?: string }).code !== 'ERR_UNKNOWN_BUILTIN_MODULE') throw e;
		throw new Error(
			`A state file (--state) needs Node's built-in node:sqlite, in Node 22.13 or newer (this is Node ${process.versions.node}): use a newer Node, or start without --state.`,
		);
	}
}

/**
 * The emulator `make` builds, from the state file's contents (`load`) when there is a file, and
 * how its state is kept (nothing is kept without a file). A start that fails lets the file's lock
 * go: a later start can open it.
 */
export async function keepState(
	statePath: string | undefined,
	make: (load: () => EmulatorSnapshot | undefined) => Emulator,
): Promise<{ emulator: Emulator; durable?: DurableState }> {
	if (!statePath) return { emulator: make(() => undefined) };
	const { StateCommitError, StateFile } = await loadStateFile();
	const { file, imported } = StateFile.open(statePath);
	if (imported)
		process.stderr.write(`Imported the JSON state of ${statePath}; it is kept as ${imported}.\n`);
	let emulator: Emulator;
	try {
		emulator = make(() => file.load());
	} catch (e) {
		file.close();
		throw e;
	}

	const save = (): boolean => {
		try {
			file.commit();
			return true;
		} catch (e) {
			try {
				// What the batch touched goes back as saved; a reset in it needs the whole file.
				if (e instanceof StateCommitError && !e.undo.full) emulator.revert(e.undo);
				else
					emulator.restore(
						file.load() ?? {
							version: 2,
							issues: { issues: [], counter: 0 },
							tokens: { access: [], refresh: [] },
						},
					);
			} catch {
				// Not readable either: the held state stays as it is, and the next commit tries again.
			}
			return false;
		}
	};

	// Every change is staged. The server commits the changes of the requests it handles before it
	// answers them, in the same turn; whatever else changes the state (a call of the API: reset,
	// setIssueState…) is committed when that turn ends, so at once.
	let scheduled = false;
	emulator.onChange((change) => {
		file.stage(change);
		if (scheduled) return;
		scheduled = true;
		queueMicrotask(() => {
			scheduled = false;
			save();
		});
	});

	return {
		emulator,
		durable: {
			save,
			get pending() {
				return file.pending > 0;
			},
			close() {
				save();
				try {
					file.close();
				} catch {
					// Whatever could not be written was never acknowledged.
				}
			},
		},
	};
}
