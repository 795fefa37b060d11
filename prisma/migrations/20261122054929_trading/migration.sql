-- CreateEnum
CREATE TYPE "BotStatus" AS ENUM ('running', 'paused', 'stopped');

-- CreateEnum
CREATE TYPE "RiskState" AS ENUM ('active', 'reducing', 'halted');

-- CreateTable
CREATE TABLE "Bot" (
    "id" SERIAL NOT NULL,
    "strategy" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "preset" TEXT,
    "status" "BotStatus" NOT NULL DEFAULT 'running',
    "riskState" "RiskState" NOT NULL DEFAULT 'active',
    "haltReason" TEXT,
    "createdBy" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "stoppedAt" TIMESTAMP(3),
    "engineState" JSONB,
    "stateRev" INTEGER NOT NULL DEFAULT 0,
    "lastTradeAt" TIMESTAMP(3),
    "fence" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Bot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Order" (
    "clientOrderId" TEXT NOT NULL,
    "botId" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "price" DECIMAL(38,18),
    "amount" DECIMAL(38,18) NOT NULL,
    "filled" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "average" DECIMAL(38,18),
    "tag" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "exchangeOrderId" TEXT,
    "error" TEXT,
    "fence" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("clientOrderId")
);

-- CreateTable
CREATE TABLE "Fill" (
    "id" BIGSERIAL NOT NULL,
    "exchange" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "tradeId" TEXT NOT NULL,
    "botId" INTEGER NOT NULL,
    "clientOrderId" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "price" DECIMAL(38,18) NOT NULL,
    "amount" DECIMAL(38,18) NOT NULL,
    "cost" DECIMAL(38,18) NOT NULL,
    "fee" DECIMAL(38,18) NOT NULL,
    "feeCurrency" TEXT NOT NULL,
    "feeQuote" DECIMAL(38,18) NOT NULL,
    "maker" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Fill_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MarkPrice" (
    "symbol" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "price" DECIMAL(38,18) NOT NULL,

    CONSTRAINT "MarkPrice_pkey" PRIMARY KEY ("symbol","at")
);

-- CreateTable
CREATE TABLE "Outbox" (
    "id" BIGSERIAL NOT NULL,
    "chatId" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "silent" BOOLEAN NOT NULL DEFAULT false,
    "text" TEXT NOT NULL,
    "botId" INTEGER,
    "dedupeKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "sendingAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),
    "messageId" INTEGER,

    CONSTRAINT "Outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Confirmation" (
    "id" TEXT NOT NULL,
    "userId" BIGINT NOT NULL,
    "chatId" BIGINT NOT NULL,
    "action" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "result" TEXT,

    CONSTRAINT "Confirmation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PaperAccount" (
    "id" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaperAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CandleCache" (
    "exchange" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "time" BIGINT NOT NULL,
    "open" DOUBLE PRECISION NOT NULL,
    "high" DOUBLE PRECISION NOT NULL,
    "low" DOUBLE PRECISION NOT NULL,
    "close" DOUBLE PRECISION NOT NULL,
    "volume" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "CandleCache_pkey" PRIMARY KEY ("exchange","symbol","timeframe","time")
);

-- CreateTable
CREATE TABLE "BacktestRun" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" BIGINT,
    "strategy" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "fromTime" TIMESTAMP(3) NOT NULL,
    "toTime" TIMESTAMP(3) NOT NULL,
    "config" JSONB NOT NULL,
    "dataSource" TEXT NOT NULL,
    "result" JSONB NOT NULL,
    "durationMs" INTEGER NOT NULL,

    CONSTRAINT "BacktestRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Bot_status_idx" ON "Bot"("status");

-- CreateIndex
CREATE INDEX "Order_botId_status_idx" ON "Order"("botId", "status");

-- CreateIndex
CREATE INDEX "Order_status_idx" ON "Order"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Order_botId_seq_key" ON "Order"("botId", "seq");

-- CreateIndex
CREATE INDEX "Fill_botId_at_idx" ON "Fill"("botId", "at");

-- CreateIndex
CREATE INDEX "Fill_at_idx" ON "Fill"("at");

-- CreateIndex
CREATE UNIQUE INDEX "Fill_exchange_symbol_tradeId_key" ON "Fill"("exchange", "symbol", "tradeId");

-- CreateIndex
CREATE UNIQUE INDEX "Outbox_dedupeKey_key" ON "Outbox"("dedupeKey");

-- CreateIndex
CREATE INDEX "Outbox_deliveredAt_nextAttemptAt_idx" ON "Outbox"("deliveredAt", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Confirmation_userId_createdAt_idx" ON "Confirmation"("userId", "createdAt");

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_botId_fkey" FOREIGN KEY ("botId") REFERENCES "Bot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Fill" ADD CONSTRAINT "Fill_botId_fkey" FOREIGN KEY ("botId") REFERENCES "Bot"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
