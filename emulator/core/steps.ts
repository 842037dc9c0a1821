/** Planned engagement steps, earliest first. */
import type { IssueRecord } from './issueRecord';

/** A min-heap of planned steps by time; an entry is stale once its issue was planned again or changed. */
export class StepHeap {
	private items: Array<{ issue: IssueRecord; at: number }> = [];

	peek(): { issue: IssueRecord; at: number } | undefined {
		return this.items[0];
	}

	push(issue: IssueRecord, at: number): void {
		const items = this.items;
		items.push({ issue, at });
		for (let i = items.length - 1; i > 0; ) {
			const parent = (i - 1) >> 1;
			if (items[parent].at <= items[i].at) break;
			[items[parent], items[i]] = [items[i], items[parent]];
			i = parent;
		}
	}

	pop(): void {
		const items = this.items;
		const last = items.pop();
		if (items.length === 0 || !last) return;
		items[0] = last;
		for (let i = 0; ; ) {
			const l = 2 * i + 1;
			const r = l + 1;
			let smallest = i;
			if (l < items.length && items[l].at < items[smallest].at) smallest = l;
			if (r < items.length && items[r].at < items[smallest].at) smallest = r;
			if (smallest === i) break;
			[items[smallest], items[i]] = [items[i], items[smallest]];
			i = smallest;
		}
	}
}
