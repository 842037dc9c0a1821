'use strict';
/**
 * Takes docs/demo-workflow.png: the demo workflow in the real n8n editor started by `npm run dev`,
 * in headless Chromium (Debian's `chromium`). playwright-core is not a project dependency:
 *   npm install --prefix /tmp/pw playwright-core && NODE_PATH=/tmp/pw/node_modules node scripts/screenshot.js
 */
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE = process.env.N8N_URL || 'http://127.0.0.1:5678';
const OUT = path.join(__dirname, '..', 'docs', 'demo-workflow.png');

(async () => {
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
	const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
	await page.goto(`${BASE}/signin`);
	await page.fill(
		'input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]',
		'demo@example.com',
	);
	await page.fill('input[type="password"]', 'Demo-n8n-1');
	await page.keyboard.press('Enter');
	await page.waitForURL(/\/home|\/workflows|\/workflow/, { timeout: 30_000 });
	await page.goto(`${BASE}/workflow/snPeDemoAlert`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 30_000 });
	await page.waitForTimeout(2000);
	await page.screenshot({ path: OUT });
	await browser.close();
	process.stdout.write(`wrote ${OUT}\n`);
})().catch((e) => {
	process.stderr.write(`${e.stack || e}\n`);
	process.exit(1);
});
