'use strict';
/**
 * The one home of reading what an n8n recorded in its user folder: executions from its SQLite
 * database (run data decoded with n8n's own flatted), a node's output items, and a password hash
 * as n8n stores it.
 */
const path = require('node:path');
const { n8nDir } = require('./config');

/** Executions recorded in n8n's SQLite database, with their run data decoded. */
function readExecutions(userFolder, dir = n8nDir()) {
	const { DatabaseSync } = require('node:sqlite');
	const { parse } = require(path.join(dir, 'node_modules', 'flatted'));
	const db = new DatabaseSync(path.join(userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
	try {
		const rows = db
			.prepare(
				'SELECT e.id, e.workflowId, e.status, e.mode, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id ORDER BY e.id',
			)
			.all();
		return rows.map((r) => ({
			id: r.id,
			workflowId: r.workflowId,
			status: r.status,
			mode: r.mode,
			data: parse(r.data),
		}));
	} finally {
		db.close();
	}
}

/** Items of output `k` of node `name` in an execution. */
function nodeOutput(execution, name, k = 0) {
	const task = execution.data.resultData.runData[name]?.[0];
	return task?.data?.main?.[k] ?? [];
}

function bcryptHash(password, dir = n8nDir()) {
	return require(path.join(dir, 'node_modules', 'bcryptjs')).hashSync(password, 10);
}

module.exports = { readExecutions, nodeOutput, bcryptHash };
