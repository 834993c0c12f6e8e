/** Prints each package's browser bundle size (minified, tfjs external) as a Markdown table: `pnpm sizes`. */
import { BROWSER_PACKAGES, bundleSize } from '../src/node/bundleSize';

async function main(): Promise<void> {
  console.log('| Package | Minified | Gzipped |\n| --- | ---: | ---: |');
  for (const name of BROWSER_PACKAGES) {
    const s = await bundleSize(name);
    console.log(`| \`${s.name}\` | ${(s.minified / 1024).toFixed(1)} KB | ${(s.gzipped / 1024).toFixed(1)} KB |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
