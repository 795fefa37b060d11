import { exchangeContract } from './support/contract-suite.js';
import { liveHarness } from './support/harness.js';

exchangeContract('live adapter (ccxt) + Binance emulator', liveHarness);
