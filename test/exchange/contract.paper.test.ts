import { exchangeContract } from './support/contract-suite.js';
import { paperHarness } from './support/harness.js';

exchangeContract('paper exchange', paperHarness());
