export { startBinanceEmulator, type BinanceEmulator, type BinanceEmulatorOptions, type RequestRecord } from './server.js';
export { FaultInjector, type FaultKind, type FaultRule, type RandomFaults, type InjectedFault } from './faults.js';
export { EmulatorState, BinanceApiError, type EmuOrder, type EmuTrade } from './state.js';
