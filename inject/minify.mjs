// Minifies enhance.js into enhance.min.js, the file the Go package embeds.
// `node minify.mjs` writes it; `node minify.mjs --check` fails when it is out of date.
import {readFile, writeFile} from 'node:fs/promises';
import {minify} from 'terser';

const source = new URL('./enhance.js', import.meta.url);
const target = new URL('./enhance.min.js', import.meta.url);

// The script travels gzipped, so these options are the ones that make the gzipped file
// smallest, not the minified one. hoist_funs only moves function declarations to the top of
// their scope, where they are hoisted anyway. unsafe_arrows turns function expressions into
// arrows, which is safe because enhance.js never uses `this`, `arguments` or `new` on its
// own functions. inline: 1 inlines only simple functions: wrapping functions called once
// into their caller saves minified bytes but costs gzipped ones.
const {code} = await minify(await readFile(source, 'utf8'), {
  ecma: 2020,
  compress: {passes: 2, hoist_funs: true, unsafe_arrows: true, inline: 1},
  mangle: true,
  format: {comments: false},
});
const minified = code + '\n';

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== minified) {
    console.error('enhance.min.js is out of date: run `npm run build` in inject/');
    process.exit(1);
  }
} else {
  await writeFile(target, minified);
}
