/**
 * Runs the Binance emulator on its own: `tsx src/dev/binance-emulator/main.ts [--port N]`.
 * Keys from EMULATOR_API_KEY / EMULATOR_API_SECRET (defaults are test keys); point the bot at it
 * with EXCHANGE_API_URL=<printed address> and the same keys.
 */
import { startBinanceEmulator } from './server.js';

const portArg = process.argv.indexOf('--port');
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 0;
const emu = await startBinanceEmulator({
  apiKey: process.env.EMULATOR_API_KEY ?? 'emulator-key',
  apiSecret: process.env.EMULATOR_API_SECRET ?? 'emulator-secret',
  port,
});
emu.state.setPrice('BTCUSDT', 30_000);
emu.state.setPrice('ETHUSDT', 2_000);
console.log(`Binance emulator listening at ${emu.url} (EXCHANGE_API_URL=${emu.url})`);
const stop = () => {
  void emu.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
