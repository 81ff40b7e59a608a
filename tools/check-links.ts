/**
 * Every relative link in README.md and docs/*.md resolves: the file exists, and a `#fragment` names a heading of it
 * (GitHub's anchors: lower case, spaces to -, punctuation dropped). Prints the broken ones; exits 1 when there are any.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..');
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');

export function brokenLinks(): string[] {
  const files = [
    'README.md',
    ...readdirSync(path.join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const broken: string[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1] as string;
      if (/^[a-z]+:/i.test(link) || link.startsWith('<')) continue;
      const [target, fragment] = link.split('#') as [string, string | undefined];
      const resolved = target ? path.join(path.dirname(path.join(root, file)), target) : path.join(root, file);
      if (!existsSync(resolved)) {
        broken.push(`${file}: ${link} (no such file)`);
        continue;
      }
      if (fragment && resolved.endsWith('.md')) {
        const headings = [...readFileSync(resolved, 'utf8').matchAll(/^#+ (.*)$/gm)].map((h) => anchor(h[1] as string));
        if (!headings.includes(fragment)) broken.push(`${file}: ${link} (no such heading)`);
      }
    }
  }
  return broken;
}

if (require.main === module) {
  const broken = brokenLinks();
  for (const b of broken) console.error(`broken link: ${b}`);
  process.exit(broken.length ? 1 : 0);
}
