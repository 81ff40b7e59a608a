/** Every relative link in README.md and docs/ resolves, to a file and, with a #fragment, to one of its headings. */
import { brokenLinks } from '../../tools/check-links';

test('no broken relative link in README or docs', () => {
  expect(brokenLinks()).toEqual([]);
});
