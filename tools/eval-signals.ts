/**
 * npm run eval:signals — the customer-text reader against the labelled corpus (test/fixtures/signals): per-class
 * precision and recall over {exploring, price_check, benchmarking, none}, their macro-F1, and proposal-request
 * precision and recall, for the development split (tuned on) and the evaluation split (never tuned on). Exits 1 when
 * the evaluation split is below the reader's goals: macro-F1 ≥ 0.85, proposal precision ≥ 0.95, recall ≥ 0.85.
 * `--misses` lists the evaluation lines it got wrong (`--dev`: the development lines); `--report` never fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LexiconReader, stateOfSignals } from '../src/domain/signals/reader';
import { jiebaSegmenter } from '../src/text/segmenter';

const CLASSES = ['exploring', 'price_check', 'benchmarking', 'none'] as const;
type Label = (typeof CLASSES)[number];
interface Row {
  state: Label;
  proposal: boolean;
  text: string;
}

export function loadSplit(name: 'dev' | 'eval'): Row[] {
  const raw = readFileSync(join(__dirname, '..', 'test', 'fixtures', 'signals', `${name}.tsv`), 'utf8');
  return raw
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [state, proposal, ...text] = l.split('\t');
      if (!CLASSES.includes(state as Label) || (proposal !== '0' && proposal !== '1')) throw new Error(`bad corpus line: ${l}`);
      return { state: state as Label, proposal: proposal === '1', text: text.join('\t') };
    });
}

// Friday 2026-11-27 10:00 in Shanghai: the corpus's dates are relative.
const NOW = Date.parse('2026-11-27T02:00:00Z');
const reader = new LexiconReader(jiebaSegmenter);

export function evaluate(rows: Row[]) {
  const got = rows.map((r) => {
    const signals = reader.read(r.text, NOW, 'Asia/Shanghai');
    return { row: r, state: (stateOfSignals(signals) ?? 'none') as Label, proposal: signals.some((s) => s.signal === 'proposal_request'), signals };
  });
  const perClass = CLASSES.map((c) => {
    const tp = got.filter((g) => g.state === c && g.row.state === c).length;
    const fp = got.filter((g) => g.state === c && g.row.state !== c).length;
    const fn = got.filter((g) => g.state !== c && g.row.state === c).length;
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { class: c, n: tp + fn, precision, recall, f1 };
  });
  const macroF1 = perClass.reduce((a, c) => a + c.f1, 0) / CLASSES.length;
  const ptp = got.filter((g) => g.proposal && g.row.proposal).length;
  const pfp = got.filter((g) => g.proposal && !g.row.proposal).length;
  const pfn = got.filter((g) => !g.proposal && g.row.proposal).length;
  const proposal = { n: ptp + pfn, precision: ptp + pfp === 0 ? 1 : ptp / (ptp + pfp), recall: ptp + pfn === 0 ? 1 : ptp / (ptp + pfn) };
  const misses = got.filter((g) => g.state !== g.row.state || g.proposal !== g.row.proposal);
  return { n: rows.length, perClass, macroF1, proposal, misses };
}

export const GOALS = { macroF1: 0.85, proposalPrecision: 0.95, proposalRecall: 0.85 };

function report(name: string, r: ReturnType<typeof evaluate>) {
  const pct = (x: number) => x.toFixed(3);
  console.log(`\n${name}: ${r.n} messages`);
  console.log('class          n   precision  recall   F1');
  for (const c of r.perClass) console.log(`${c.class.padEnd(13)} ${String(c.n).padStart(3)}   ${pct(c.precision)}      ${pct(c.recall)}    ${pct(c.f1)}`);
  console.log(`macro-F1 ${pct(r.macroF1)}`);
  console.log(`proposal_request (n=${r.proposal.n}): precision ${pct(r.proposal.precision)}, recall ${pct(r.proposal.recall)}`);
}

if (require.main === module) {
  const dev = evaluate(loadSplit('dev'));
  const ev = evaluate(loadSplit('eval'));
  report('development split (tuned on)', dev);
  report('evaluation split (never tuned on)', ev);
  if (process.argv.includes('--misses')) {
    for (const m of (process.argv.includes('--dev') ? dev : ev).misses)
      console.log(
        `MISS ${m.row.state}/${m.row.proposal ? 1 : 0} → ${m.state}/${m.proposal ? 1 : 0}  ${m.row.text}  ${JSON.stringify(m.signals.map((s) => [s.signal, s.cue]))}`,
      );
  }
  const ok = ev.macroF1 >= GOALS.macroF1 && ev.proposal.precision >= GOALS.proposalPrecision && ev.proposal.recall >= GOALS.proposalRecall;
  console.log(
    `\ngoals on the evaluation split (macro-F1 ≥ ${GOALS.macroF1}, proposal precision ≥ ${GOALS.proposalPrecision}, recall ≥ ${GOALS.proposalRecall}): ${ok ? 'met' : 'NOT met'}`,
  );
  // --report: print the figures without failing (CI, while the evaluation split is below the goals; README says so).
  process.exit(ok || process.argv.includes('--report') ? 0 : 1);
}
