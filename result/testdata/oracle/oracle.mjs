// Reads [{name, encoded, expected, exact}] as JSON on stdin, where `expected` is a
// JavaScript expression. For each case it parses `encoded` with every devalue version
// and compares the value with `expected`; with `exact` it also checks that devalue's own
// stringify writes the same text. Prints [{name, problems}] as JSON.
import * as devalue5 from 'devalue5';
import * as devalue6 from 'devalue6';

const parsers = { 'devalue 5': devalue5.parse, 'devalue 6': devalue6.parse };

// same is a deep equality that tells NaN, -0, BigInt, Date and undefined members
// apart, compares key order, and survives cycles.
function same(a, b, seen = new Map()) {
	if (Object.is(a, b)) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
	if (seen.get(a) === b) return true;
	seen.set(a, b);
	if (a instanceof Date) return Object.is(a.getTime(), b.getTime());
	const ka = Reflect.ownKeys(a);
	const kb = Reflect.ownKeys(b);
	if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
	return ka.every((k) => same(a[k], b[k], seen));
}

function show(v) {
	try {
		return devalue5.uneval(v);
	} catch {
		return String(v);
	}
}

function check({ encoded, expected, exact }) {
	const problems = [];
	const want = new Function(`return (${expected});`)();
	for (const [version, parse] of Object.entries(parsers)) {
		try {
			const got = parse(encoded);
			if (!same(got, want)) problems.push(`${version} parsed ${show(got)}, want ${show(want)}`);
		} catch (e) {
			problems.push(`${version} refused it: ${e.message}`);
		}
	}
	if (exact) {
		const theirs = devalue5.stringify(want);
		if (theirs !== encoded) problems.push(`devalue 5 stringify writes ${theirs}`);
	}
	return problems;
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((c) => ({ name: c.name, problems: check(c) }));
process.stdout.write(JSON.stringify(results));
