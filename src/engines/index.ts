/** Public surface of the strategy engines and the risk gate. */
export * from './types.js';
export { EMPTY_OUTPUT } from './core/context.js';
export { SnapshotError } from './core/shell.js';
export { ConfigError, formatConfigError, parseWith } from './config/errors.js';
export { parseDuration } from './config/fields.js';
export { strategies, STRATEGY_NAMES, isStrategyName, parseStrategyConfig, createEngine } from './registry.js';
export type { StrategyEntry, Outcome, CreateOptions } from './registry.js';
export { parsePresetFile } from './presets.js';
export type { Preset, PresetFile } from './presets.js';
export { gridSchema, resolveRange, type GridConfig, type GridInput } from './grid/config.js';
export { createGridEngine, describeGrid } from './grid/engine.js';
export { checkGrid } from './grid/plan.js';
export { dcaSchema, dcaBudget, checkDca, type DcaConfig, type DcaInput } from './dca/config.js';
export { createDcaEngine, describeDca } from './dca/engine.js';
export { hybridSchema, type HybridConfig, type HybridInput } from './hybrid/config.js';
export { createHybridEngine, describeHybrid } from './hybrid/engine.js';
export { trendSchema, checkTrend, type TrendConfig, type TrendInput } from './trend/config.js';
export { createTrendEngine, describeTrend } from './trend/engine.js';
export { riskSchema, type RiskLimits, type RiskLimitsInput } from './risk/config.js';
export { startOfLocalDay, startOfNextLocalDay, isTimeZone } from './risk/day.js';
export { dailyPnl, type RiskFill, type RiskMark } from './risk/pnl.js';
export {
  evaluateRisk, checkIntent, filterIntents, applyRiskControl, resetRisk, initialRiskState, stopLossStreak,
  type RiskState, type RiskInput, type RiskDecision, type TradingState, type ExposureContext, type FilteredIntents,
} from './risk/gate.js';
