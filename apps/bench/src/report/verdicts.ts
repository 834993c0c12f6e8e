import { formatP, type Claim } from '../claims/claims';
import type { Block } from './document';

const MARK: Record<Claim['verdict'], string> = { reproduced: '✔ reproduced', 'not reproduced': '✘ not reproduced', inconclusive: '? inconclusive' };

/** One claim as a paragraph: the verdict, the claim, the evidence. */
export function claimBlocks(claims: readonly Claim[]): Block[] {
  return claims.map((c) => ({
    kind: 'text' as const,
    text: `**${MARK[c.verdict]}** — ${c.statement} ${c.evidence.join(' ')} Test: ${c.test}${c.pValue === null ? '' : `, p = ${formatP(c.pValue)}`}.`,
  }));
}

/** The report's opening: which of the chapter's findings this run reproduced, in plain words and as a table. */
export function verdictSummary(claims: readonly Claim[]): Block[] {
  if (claims.length === 0) return [{ kind: 'text', text: 'This run tested none of the chapter\'s claims (it trained no models, or none finished).' }];
  const count = (v: Claim['verdict']) => claims.filter((c) => c.verdict === v).length;
  const reproduced = claims.filter((c) => c.verdict === 'reproduced');
  const lead =
    `**This run reproduced ${count('reproduced')} of the ${claims.length} findings it tested**` +
    (count('not reproduced') ? `; ${count('not reproduced')} not reproduced` : '') +
    (count('inconclusive') ? `; ${count('inconclusive')} inconclusive (too little evidence either way at this size)` : '') +
    '.' +
    (reproduced.length ? ` Reproduced: ${reproduced.map((c) => c.finding).join('; ')}.` : '');
  return [
    { kind: 'text', text: lead },
    {
      kind: 'table',
      header: ['finding of the chapter', 'verdict', 'p-value', 'effect', 'why'],
      rows: claims.map((c) => [c.finding, MARK[c.verdict], formatP(c.pValue), c.effect?.display ?? '', c.evidence[0] ?? '']),
    },
  ];
}
