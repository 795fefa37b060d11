/**
 * The engine contract. An engine is a deterministic state machine (DESIGN rules 2, 3, 12):
 * it receives price events, order updates and control commands together with `now`, and returns
 * intents (place / cancel) plus domain events for alerts. No I/O, no clock reads, no randomness:
 * the same events give the same intents and the same state in backtests, paper and live trading.
 *
 * Life of an order, as an engine sees it:
 *   place intent (seq) -> "pending" (in flight) -> the runner reports `open` | `rejected` | fills
 *   -> the order is done once a terminal status is reported AND the reported fills add up to the
 *   reported filled amount. The engine advances on fills only; a cancelled order is judged by its
 *   reported filled amount, never by its status. Duplicate trade ids are ignored.
 *
 * The runner turns (botId, seq) into the client order id and must report every intent back:
 * an intent it does not send (e.g. blocked by the risk gate) is reported as `rejected`.
 */
import type { Side } from '../exchange/types.js';

export type StrategyName = 'grid' | 'dca' | 'hybrid' | 'trend';

/** A closed candle (time = open time, Unix ms UTC). */
export interface CandleEvent {
  type: 'candle';
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

/** A single traded / mark price (live tick, or one point of a candle path). */
export interface TickEvent {
  type: 'tick';
  price: number;
  time?: number;
}

export type PriceEvent = CandleEvent | TickEvent;

/** One exchange trade of one of our orders. `tradeId` is the idempotency key. */
export interface FillEvent {
  type: 'fill';
  tradeId: string;
  /** The intent sequence number the order was placed with (its client order id). */
  seq: number;
  side: Side;
  price: number;
  /** Base amount of this trade. */
  amount: number;
  fee: number;
  feeCurrency: string;
  time: number;
}

/** What the exchange reports about one of our orders. */
export type ReportedOrderStatus = 'open' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'expired';

export interface OrderStatusEvent {
  type: 'order';
  seq: number;
  status: ReportedOrderStatus;
  /** Cumulative filled base amount as reported by the exchange (decide on this, not on status). */
  filled: number;
  reason?: string;
}

/**
 * A command from the owner or the risk gate.
 * reduce: no new exposure (cancel entry orders, keep exits); halt: cancel everything (and sell
 * the base when `flatten`), then stop; resume: back to normal after reduce.
 */
export interface ControlEvent {
  type: 'control';
  command: 'reduce' | 'halt' | 'resume';
  flatten?: boolean;
  reason?: string;
}

export type EngineEvent = PriceEvent | FillEvent | OrderStatusEvent | ControlEvent;

export interface PlaceIntent {
  kind: 'place';
  /** Monotonic per engine; the runner derives the client order id from (bot, seq). */
  seq: number;
  side: Side;
  type: 'limit' | 'market';
  /** Limit price (snapped to the tick, toward the passive side); absent for market orders. */
  price?: number;
  /** Base amount, floored to the step, never below the market's minimums. */
  amount: number;
  /** What the order is for, e.g. 'grid-buy', 'dca-so', 'trend-exit'. */
  tag: string;
}

export interface CancelIntent {
  kind: 'cancel';
  seq: number;
  reason: string;
}

export type Intent = PlaceIntent | CancelIntent;

export type DomainEventType =
  | 'started'
  | 'trigger_reached'
  | 'filled'
  | 'grid_cycle'
  | 'deal_opened'
  | 'safety_order_filled'
  | 'take_profit'
  | 'stop_loss'
  | 'trailing_activated'
  | 'breakeven'
  | 'partial_close'
  | 'entry'
  | 'exit'
  | 'deal_closed'
  | 'range_left'
  | 'range_entered'
  | 'mode_changed'
  | 'order_skipped'
  | 'order_rejected'
  | 'order_ended'
  | 'late_fill'
  | 'reducing'
  | 'halted'
  | 'resumed'
  | 'stopped'
  | 'error';

/** What an alert needs (bot-agnostic: the runner adds the bot id). */
export interface DomainEvent {
  type: DomainEventType;
  time: number;
  /** One sentence for a human. */
  message: string;
  seq?: number;
  side?: Side;
  price?: number;
  amount?: number;
  fee?: number;
  feeCurrency?: string;
  /** Realised profit in quote (after fees). */
  profit?: number;
  reason?: string;
}

export interface EngineOutput {
  readonly intents: readonly Intent[];
  readonly events: readonly DomainEvent[];
}

/** Plain JSON, for snapshots and crash recovery. */
export interface EngineSnapshot {
  strategy: StrategyName;
  version: number;
  state: unknown;
}

/**
 * The band in which a new price cannot change anything: a price event whose every price lies
 * strictly inside (below, above) may be skipped (no resting order crossed, no trigger, stop or
 * trailing level reached). below = +Infinity means "always wake"; below = -Infinity and
 * above = +Infinity mean "no price matters now" (e.g. waiting for order updates).
 * everyClose: every candle close matters anyway (indicator engines).
 */
export interface WakeRange {
  below: number;
  above: number;
  everyClose: boolean;
}

/** The funds an engine was allotted, as it tracks them from fills. */
export interface EngineBalances {
  quote: number;
  base: number;
  /** Quote reserved for live buy orders (price * remaining, plus the fee in case it is charged in quote). */
  lockedQuote: number;
  /** Base locked in live sell orders. */
  lockedBase: number;
  lastPrice: number;
  /** Realised profit so far, in quote, after fees. */
  realisedProfit: number;
}

/** A live order as the engine tracks it (for reconciliation and status screens). */
export interface TrackedOrderView {
  seq: number;
  side: Side;
  type: 'limit' | 'market';
  price: number;
  amount: number;
  filled: number;
  tag: string;
  /** pending: sent, not acknowledged (in flight); closing: terminal status seen, fills still missing. */
  status: 'pending' | 'open' | 'closing';
  cancelRequested: boolean;
}

export interface Engine {
  readonly strategy: StrategyName;
  /** Feed one event; the returned arrays are fresh (or a shared frozen empty output). */
  onEvent(event: EngineEvent, now: number): EngineOutput;
  snapshot(): EngineSnapshot;
  /** Cheap; recomputed only after a state change. Do not mutate. */
  wake(): Readonly<WakeRange>;
  balances(): EngineBalances;
  openOrders(): TrackedOrderView[];
  /** Short machine-readable phase, e.g. 'running', 'waiting_trigger', 'in_deal', 'stopped'. */
  phase(): string;
}
