'use strict';
/**
 * `npm run screenshots`: the pictures of docs/images/, taken in the real n8n editor that
 * `npm run dev` runs (start it first, in another terminal), in headless Chromium:
 *   - demo-workflow.png: the demo workflow (alert → experience issue) on the canvas, with the
 *     action node's outputs; it also lists the output labels the canvas cuts short
 *   - node-creator.png: the package's entry in the node creator (search "ServiceNow")
 *   - node-creator-actions.png: the entry opened, its actions and triggers
 *   - issue-code-picker.png: the Issue Code picker's list (From list), read from the emulator
 *   - check-setup.png: Check Setup run in the editor against the demo's emulator credential
 * For the last two it creates a workflow "Screenshots (npm run screenshots)" and deletes it after.
 *
 * Needs Debian's `chromium` (apt-get install chromium; or CHROMIUM=<path>) and playwright-core
 * (present under node_modules through @n8n/node-cli; otherwise `npm install --no-save playwright-core`).
 * Environment: N8N_URL (default http://127.0.0.1:${DEV_N8N_PORT:-5678}), SCREENSHOTS_DIR (default
 * docs/images), SCREENSHOTS_DEBUG=1 also saves each whole page as <name>.page.png.
 */
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE = process.env.N8N_URL || `http://127.0.0.1:${process.env.DEV_N8N_PORT || 5678}`;
const OUT = process.env.SCREENSHOTS_DIR || path.join(__dirname, '..', 'docs', 'images');
const DEBUG = process.env.SCREENSHOTS_DEBUG === '1';
const OWNER = { email: 'demo@example.com', password: 'Demo-n8n-1' };
const PACKAGE = 'n8n-nodes-servicenow-proactive-engagement';
const CREDENTIAL = {
	serviceNowPeApi: { id: 'snPeEmulatorCred', name: 'ServiceNow PE (local emulator)' },
};

const log = (m) => process.stdout.write(`[screenshots] ${m}\n`);

/** The workflow the picker and Check Setup pictures are taken in. */
const SCREENSHOT_WORKFLOW = {
	name: 'Screenshots (npm run screenshots)',
	nodes: [
		{
			id: 'a0000000-0000-4000-8000-000000000001',
			name: 'When clicking ‘Execute workflow’',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'a0000000-0000-4000-8000-000000000002',
			name: 'Check Setup',
			type: `${PACKAGE}.serviceNowPe`,
			typeVersion: 1,
			position: [300, 0],
			parameters: {
				operation: 'checkSetup',
				checkFor: { issueCode: '100', provider: 'sn', userName: 'abel.tuter' },
			},
			credentials: CREDENTIAL,
		},
		{
			id: 'a0000000-0000-4000-8000-000000000003',
			name: 'Create Experience Issue',
			type: `${PACKAGE}.serviceNowPe`,
			typeVersion: 1,
			position: [300, 300],
			parameters: { issueCode: { __rl: true, mode: 'list', value: '' } },
			credentials: CREDENTIAL,
		},
	],
	connections: {
		'When clicking ‘Execute workflow’': {
			main: [[{ node: 'Check Setup', type: 'main', index: 0 }]],
		},
	},
	settings: {},
};

/** A screenshot of the union of these elements' boxes, with a margin, clipped to the page. */
async function shoot(page, name, locators, margin = 16) {
	const boxes = [];
	for (const l of locators) {
		for (const el of await l.all()) {
			const b = await el.boundingBox();
			if (b && b.width > 0 && b.height > 0) boxes.push(b);
		}
	}
	if (boxes.length === 0) throw new Error(`${name}: nothing to photograph`);
	const vp = page.viewportSize();
	const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
	const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
	const right = Math.min(vp.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
	const bottom = Math.min(vp.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
	const file = path.join(OUT, `${name}.png`);
	await page.screenshot({ path: file, clip: { x, y, width: right - x, height: bottom - y } });
	if (DEBUG) await page.screenshot({ path: path.join(OUT, `${name}.page.png`) });
	log(`wrote ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes)`);
}

/** REST call as the editor makes it (its session cookie and browser id). */
async function rest(page, method, url, body) {
	return page.evaluate(
		async ({ method, url, body }) => {
			const res = await fetch(url, {
				method,
				headers: {
					'content-type': 'application/json',
					'browser-id': localStorage.getItem('n8n-browserId') || '',
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			return { status: res.status, json: await res.json().catch(() => null) };
		},
		{ method, url, body },
	);
}

async function openPage(context, url) {
	const page = await context.newPage();
	await page.goto(url);
	return page;
}

async function canvas(page) {
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60_000 });
	await page.waitForTimeout(1500);
}

/** The output labels the canvas cuts short (ellipsis), by node. */
async function cutLabels(page) {
	return page.evaluate(() => {
		const cut = [];
		for (const el of document.querySelectorAll('.canvas-node-handle-main-output *')) {
			if (el.children.length > 0 || !el.textContent.trim()) continue;
			if (el.scrollWidth > el.clientWidth)
				cut.push(`${el.textContent.trim()} (${el.scrollWidth} px in ${el.clientWidth} px)`);
		}
		return cut;
	});
}

async function main() {
	fs.mkdirSync(OUT, { recursive: true });
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	const context = await browser.newContext({
		viewport: { width: 1440, height: 1000 },
		deviceScaleFactor: 1,
	});
	let created;
	let page;
	try {
		page = await openPage(context, `${BASE}/signin`);
		await page.fill(
			'input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]',
			OWNER.email,
		);
		await page.fill('input[type="password"]', OWNER.password);
		await page.keyboard.press('Enter');
		await page.waitForURL(/\/home|\/workflows|\/workflow/, { timeout: 60_000 });
		log(`logged in to ${BASE}`);

		// 1. The demo workflow on the canvas.
		await page.goto(`${BASE}/workflow/snPeDemoAlert`);
		await canvas(page);
		await page.click('[data-test-id="zoom-to-fit"]').catch(() => null);
		await page.waitForTimeout(1000);
		await shoot(page, 'demo-workflow', [page.locator('.vue-flow__node')], 40);
		const cut = await cutLabels(page);
		log(`output labels cut short on the canvas: ${cut.length ? cut.join('; ') : 'none'}`);
		const subtitles = await page
			.locator('[data-test-id="canvas-node"] [data-test-id="canvas-node-box-subtitle"]')
			.allTextContents()
			.catch(() => []);
		if (subtitles.length) log(`canvas subtitles: ${subtitles.join(' | ')}`);

		// 2. The node creator: the package's entry, then its actions and triggers.
		await page.close({ runBeforeUnload: false });
		page = await openPage(context, `${BASE}/workflow/new`);
		await page.waitForSelector('[data-test-id="canvas-add-button"]', { timeout: 60_000 });
		await page.click('[data-test-id="canvas-add-button"]');
		const search = page.locator(
			'input[data-test-id="node-creator-search-bar"], [data-test-id="node-creator-search-bar"] input',
		);
		await search.waitFor({ timeout: 30_000 });
		await search.fill('ServiceNow Proactive');
		await page.waitForTimeout(1500);
		const creator = page.locator('[data-test-id="node-creator"]');
		const items = creator.locator('[data-test-id="item-iterator-item"]');
		await shoot(page, 'node-creator', [creator.locator('[data-test-id="search-bar"]'), items], 8);
		const entry = items.first();
		log(`node creator entry: ${(await entry.innerText()).replace(/\s+/g, ' ').trim()}`);
		await entry.click();
		await page.waitForTimeout(2000);
		await shoot(
			page,
			'node-creator-actions',
			[
				creator.locator('[data-test-id="nodes-list-header"]'),
				creator.locator('[data-test-id="node-creator-category-item"]'),
				items,
			],
			8,
		);

		// 3. and 4. A workflow of its own for the picker and Check Setup.
		await page.close({ runBeforeUnload: false });
		page = await openPage(context, `${BASE}/home/workflows`);
		await page.waitForTimeout(1000);
		const res = await rest(page, 'POST', '/rest/workflows', SCREENSHOT_WORKFLOW);
		if (res.status !== 200) throw new Error(`creating the workflow: ${JSON.stringify(res)}`);
		created = res.json.data.id;
		await page.goto(`${BASE}/workflow/${created}`);
		await canvas(page);

		await page
			.locator('[data-test-id="canvas-node"]', { hasText: 'Create Experience Issue' })
			.dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ timeout: 30_000 });
		const picker = ndv.locator('[data-test-id="resource-locator-issueCode"]');
		await picker.waitFor({ timeout: 30_000 });
		await picker.locator('[data-test-id="rlc-input"]').click();
		await page.locator('[data-test-id="rlc-item"]').first().waitFor({ timeout: 30_000 });
		await page.waitForTimeout(1000);
		await shoot(page, 'issue-code-picker', [
			picker,
			page.locator('[data-test-id="rlc-search"]'),
			page.locator('[data-test-id="rlc-item"]'),
		]);
		await page.keyboard.press('Escape');
		await page.click('[data-test-id="ndv-close-button"]');
		await ndv.waitFor({ state: 'hidden', timeout: 30_000 });

		// Wide enough for the output table's columns.
		await page.setViewportSize({ width: 2400, height: 1000 });
		await page.waitForTimeout(500);
		await page.locator('[data-test-id="canvas-node"]', { hasText: 'Check Setup' }).dblclick();
		await ndv.waitFor({ timeout: 30_000 });
		await ndv.locator('[data-test-id="node-execute-button"]').first().click();
		const output = ndv.locator('[data-test-id="output-panel"]');
		await output
			.locator('table, [data-test-id="run-data-table"]')
			.first()
			.waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1500);
		await shoot(page, 'check-setup', [output.locator('table').first()], 8);
	} finally {
		if (created && page) {
			await rest(page, 'POST', `/rest/workflows/${created}/archive`).catch(() => null);
			const del = await rest(page, 'DELETE', `/rest/workflows/${created}`).catch(() => null);
			log(`removed the screenshot workflow ${created} (${del ? del.status : 'failed'})`);
		}
		await browser.close();
	}
}

main().catch((e) => {
	process.stderr.write(`[screenshots] ${e.stack || e}\n`);
	process.exit(1);
});
