// Minifies enhance.js into enhance.min.js, the file the Go package embeds.
// `node minify.mjs` writes it; `node minify.mjs --check` fails when it is out of date.
import {readFile, writeFile} from 'node:fs/promises';
import {minify} from 'terser';

const source = new URL('./enhance.js', import.meta.url);
const target = new URL('./enhance.min.js', import.meta.url);

const {code} = await minify(await readFile(source, 'utf8'), {
  ecma: 2020,
  compress: {passes: 2},
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
