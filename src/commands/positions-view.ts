/**
 * The /positions reply: one line per bot (amount, average entry → mark, unrealised profit) and one
 * per asset. Fifty bots fit one Telegram message. The same positions (ReportService shares one
 * computation between the chats asking within a second) are rendered once.
 */
import type { BotPosition } from '../app/reports.js';
import { html, joinHtml, type RawHtml } from '../bot/html.js';

const fmt = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const signed = (v: number | null, d = 2): string => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(d)}`);

const rendered = new WeakMap<readonly BotPosition[], RawHtml>();

export function positionsHtml(rows: readonly BotPosition[]): RawHtml {
  const hit = rendered.get(rows);
  if (hit) return hit;
  const view = render(rows);
  rendered.set(rows, view);
  return view;
}

function render(rows: readonly BotPosition[]): RawHtml {
  if (rows.length === 0) return html`No positions: no bot is running.`;
  const perAsset = new Map<string, { quote: string; amount: number; cost: number; mark: number | null; unrealised: number }>();
  const lines: RawHtml[] = [html`<b>Positions</b> (amount · average entry → mark · unrealised)`];
  for (const r of rows) {
    const [base = '', quote = ''] = r.bot.symbol.split('/');
    const p = r.position;
    lines.push(
      p.amount > 1e-12
        ? html`#${r.bot.id} ${r.bot.symbol} ${fmt(p.amount, 8)} ${base} · ${fmt(p.averageEntry)} → ${r.mark === null ? 'n/a' : fmt(r.mark)} · ${signed(r.unrealised)} ${quote}`
        : html`#${r.bot.id} ${r.bot.symbol} holds no ${base}`,
    );
    const a = perAsset.get(base) ?? { quote, amount: 0, cost: 0, mark: r.mark, unrealised: 0 };
    a.amount += p.amount;
    a.cost += p.costBasis;
    a.unrealised += r.unrealised ?? 0;
    perAsset.set(base, a);
  }
  lines.push(html`\n<b>Per asset</b>`);
  for (const [asset, a] of perAsset) {
    lines.push(
      html`${asset}: ${fmt(a.amount, 8)} · avg ${a.amount > 0 ? fmt(a.cost / a.amount) : 'n/a'} · mark ${a.mark === null ? 'n/a' : fmt(a.mark)} · unrealised ${signed(a.unrealised)} ${a.quote}`,
    );
  }
  return joinHtml(lines);
}
