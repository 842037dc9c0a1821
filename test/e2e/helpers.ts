/** Real n8n for end-to-end tests: a user folder of its own, our package installed as users do. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const rt = require('../../scripts/n8n-runtime.js');

export const ROOT = join(__dirname, '..', '..');

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

export interface N8nInstance {
	userFolder: string;
	base: string;
	port: number;
	processes: ChildProcess[];
	logFile: string;
}

export function newUserFolder(): string {
	const folder = mkdtempSync(join(tmpdir(), 'sn-pe-e2e-'));
	rt.installPackage(folder);
	return folder;
}

export function importAll(
	userFolder: string,
	credentials: unknown[],
	workflows: Array<{ id: string; json: Record<string, unknown> }>,
): void {
	const dir = mkdtempSync(join(tmpdir(), 'sn-pe-import-'));
	writeFileSync(join(dir, 'credentials.json'), JSON.stringify(credentials));
	rt.n8nCli(userFolder, ['import:credentials', `--input=${join(dir, 'credentials.json')}`]);
	for (const wf of workflows) {
		writeFileSync(join(dir, `${wf.id}.json`), JSON.stringify({ ...wf.json, id: wf.id, active: false }));
		rt.n8nCli(userFolder, ['import:workflow', `--input=${join(dir, `${wf.id}.json`)}`]);
		rt.n8nCli(userFolder, ['publish:workflow', `--id=${wf.id}`]);
	}
}

export function example(file: string): Record<string, unknown> {
	return JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
}

export async function post(url: string, body: string, headers: Record<string, string> = {}) {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
	return { status: res.status, text: await res.text() };
}

/** Waits until n8n has stored `count` finished executions of a workflow; returns them. */
export async function executionsOf(userFolder: string, workflowId: string, count: number) {
	let found: any[] = [];
	await rt.waitFor(
		`${count} executions of ${workflowId}`,
		async () => {
			found = rt.readExecutions(userFolder).filter((e: any) => e.workflowId === workflowId && e.status !== 'running' && e.status !== 'new');
			return found.length >= count;
		},
		30_000,
	);
	return found;
}

export const OWNER = { email: 'e2e@example.com', password: 'E2e-owner-1' };

/** Environment that makes n8n create the owner account (so the REST API can be used). */
export function ownerEnv(): Record<string, string> {
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: 'E2e',
		N8N_INSTANCE_OWNER_LAST_NAME: 'Owner',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: rt.bcryptHash(OWNER.password),
	};
}

/** Logs in as the owner; returns the session cookie. */
export async function login(base: string): Promise<string> {
	const res = await fetch(`${base}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
	});
	if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
	return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}
