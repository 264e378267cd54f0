import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '@lumenlink/core';
import type { Decision, SymbolId, TradingState, TradingStateRecord } from '@lumenlink/core';
import type { Bot } from 'grammy';
import { createTelegramCommandBot } from '../src/index.js';
import type { BotControl } from '../src/index.js';
import { startFakeBotApi } from './fake-bot-api.js';
import type { FakeBotApi } from './fake-bot-api.js';
import { botToken, recordingLogger } from './helpers.js';

const ownerChat = 111;
const strangerChat = 999;

/** An in-memory BotControl recording state changes and force exits. */
function fakeControl() {
  let record: TradingStateRecord = {
    state: 'active',
    reason: 'start',
    changedBy: 'config',
    changedAt: 0,
    until: null,
  };
  const audit: { state: TradingState; reason: string; changedBy: string }[] = [];
  const exits: SymbolId[] = [];
  const decision: Decision = {
    symbol: 'BTC-USD',
    strategy: 'ema_cross',
    candleTime: 1_700_000_000_000,
    decidedAt: 1_700_003_600_000,
    signal: { action: 'buy', confidence: 0.8, reason: 'EMA 9 > EMA 21' },
    verdict: {
      allowed: false,
      quantity: 0,
      side: 'buy',
      reason: 'daily loss 260 > 250',
      checks: [
        { name: 'trading_state', outcome: 'pass', value: 'active', limit: null, reason: 'active' },
        {
          name: 'daily_loss',
          outcome: 'fail',
          value: -260,
          limit: -250,
          reason: 'daily loss 260 > 250',
        },
      ],
    },
    outcome: 'blocked',
    clientOrderId: null,
    note: 'blocked by daily_loss',
  };
  const control: BotControl = {
    status: () =>
      Promise.resolve({
        mode: 'live',
        modeText: 'live dry run: no order will be sent to binance (ALLOW_LIVE_TRADING is not true)',
        exchange: 'binance',
        symbols: ['BTC-USD', 'ETH-USD'],
        tradingState: record,
        circuitOpen: false,
        lastCandleAt: 1_700_000_000_000,
        startedAt: 1_699_990_000_000,
        strategy: {
          id: 'my_idea',
          label: 'my_idea (strategies/my-idea.ts)',
          source: {
            spec: 'strategies/my-idea.ts',
            kind: 'file',
            path: '/bots/strategies/my-idea.ts',
            sha256: 'e3b0c44298fc1c149afbf4c8996fb924',
          },
          params: { period: 12, note: '<x>' },
        },
      }),
    positions: () =>
      Promise.resolve([
        {
          symbol: 'BTC-USD',
          state: 'managing',
          quantity: 0.01,
          avgEntryPrice: 64_000,
          realizedPnl: 0,
          fees: 0.64,
          openedAt: 1_700_000_000_000,
          updatedAt: 1_700_000_000_000,
        },
      ]),
    balance: () => Promise.resolve({ USD: { free: 9_000, used: 0, total: 9_000 } }),
    pnl: () =>
      Promise.resolve({
        equity: 10_100,
        realizedPnl: 80,
        unrealizedPnl: 20,
        dailyPnl: 12.5,
        peakEquity: 10_200,
      }),
    daily: () => Promise.resolve({ day: '2023-11-14', pnl: 12.5, equity: 10_100, trades: 2 }),
    trades: (limit) =>
      Promise.resolve(
        [
          {
            symbol: 'ETH-USD' as const,
            quantity: 1,
            entryPrice: 3_000,
            exitPrice: 3_100,
            pnl: 97,
            openedAt: 1_700_000_000_000,
            closedAt: 1_700_003_600_000,
          },
        ].slice(0, limit),
      ),
    why: (symbol) => Promise.resolve(symbol === 'BTC-USD' ? [decision] : []),
    forceExit: (symbol) => {
      exits.push(symbol);
      return Promise.resolve({ submitted: true, message: `Exit order ll123 sent for ${symbol}` });
    },
    setTradingState: (state, reason, changedBy) => {
      audit.push({ state, reason, changedBy });
      record = { state, reason, changedBy, changedAt: 1, until: null };
      return Promise.resolve(record);
    },
  };
  return { control, audit, exits };
}

let updateId = 1;

function commandUpdate(chatId: number, text: string) {
  const command = text.split(' ')[0] ?? text;
  return {
    update_id: updateId++,
    message: {
      message_id: updateId,
      date: 1_700_000_000,
      chat: { id: chatId, type: 'private' as const, first_name: 'Owner' },
      from: { id: chatId, is_bot: false, first_name: 'Owner' },
      text,
      entities: [{ type: 'bot_command' as const, offset: 0, length: command.length }],
    },
  };
}

function callbackUpdate(chatId: number, data: string) {
  return {
    update_id: updateId++,
    callback_query: {
      id: `cq${updateId}`,
      from: { id: chatId, is_bot: false, first_name: 'Owner' },
      chat_instance: 'ci',
      data,
      message: {
        message_id: 500,
        date: 1_700_000_000,
        chat: { id: chatId, type: 'private' as const, first_name: 'Owner' },
        text: 'Confirm?',
      },
    },
  };
}

describe('Telegram commands through grammy against a local Bot API', () => {
  let api: FakeBotApi;
  let bot: Bot;
  let state: ReturnType<typeof fakeControl>;
  let lines: string[];

  beforeEach(async () => {
    api = await startFakeBotApi();
    state = fakeControl();
    const recording = recordingLogger([botToken]);
    lines = recording.lines;
    bot = createTelegramCommandBot({
      token: botToken,
      apiRoot: api.apiRoot,
      control: state.control,
      allowedChatIds: [ownerChat],
      clock: systemClock,
      logger: recording.logger,
    });
    await bot.init();
  });

  afterEach(async () => {
    await api.close();
    expect(lines.join('\n')).not.toContain(botToken);
  });

  const lastText = (): string => String(api.callsOf('sendMessage').at(-1)?.body['text']);

  it('answers the read-only commands to an allowed chat', async () => {
    const expected: Record<string, string> = {
      '/status': 'State: <b>active</b>',
      '/positions': '<b>BTC-USD</b> 0.01 @ 64000',
      '/balance': '<b>USD</b> 9000',
      '/pnl': 'Today: +12.50',
      '/daily': '<b>2023-11-14</b>: +12.50',
      '/trades': '<b>ETH-USD</b> 1 3000 -&gt; 3100 +97.00',
      '/help': '/forceexit &lt;symbol&gt;',
    };
    for (const [command, text] of Object.entries(expected)) {
      await bot.handleUpdate(commandUpdate(ownerChat, command));
      expect(lastText()).toContain(text);
    }
    const sends = api.callsOf('sendMessage');
    expect(sends).toHaveLength(7);
    expect(
      sends.every(
        (call) => call.body['chat_id'] === ownerChat && call.body['parse_mode'] === 'HTML',
      ),
    ).toBe(true);
  });

  it('/status shows the strategy, its file with its hash, and its parameters', async () => {
    await bot.handleUpdate(commandUpdate(ownerChat, '/status'));
    const text = lastText();
    expect(text).toContain(
      'Mode: <b>live dry run: no order will be sent to binance (ALLOW_LIVE_TRADING is not true)</b>',
    );
    expect(text).toContain('Strategy: <b>my_idea (strategies/my-idea.ts)</b>');
    expect(text).toContain('Source: /bots/strategies/my-idea.ts (sha256 e3b0c44298fc…)');
    expect(text).toContain(
      'Params: <code>{&quot;period&quot;:12,&quot;note&quot;:&quot;&lt;x&gt;&quot;}</code>',
    );
  });

  it('/why shows the last signals and every risk verdict for a symbol', async () => {
    await bot.handleUpdate(commandUpdate(ownerChat, '/why btc-usd'));
    const text = lastText();
    expect(text).toContain('<b>Why BTC-USD</b>');
    expect(text).toContain('buy (0.8) -&gt; blocked');
    expect(text).toContain('pass trading_state: active');
    expect(text).toContain('fail daily_loss: daily loss 260 &gt; 250');
    await bot.handleUpdate(commandUpdate(ownerChat, '/why ETH-USD'));
    expect(lastText()).toBe('No decisions recorded for ETH-USD.');
    await bot.handleUpdate(commandUpdate(ownerChat, '/why not a symbol'));
    expect(lastText()).toContain('/why failed: Invalid symbol');
  });

  it('/halt asks for confirmation and changes the state only when confirmed, audited', async () => {
    await bot.handleUpdate(commandUpdate(ownerChat, '/halt'));
    const ask = api.callsOf('sendMessage').at(-1);
    expect(ask?.body['text']).toContain('Set trading state to halted?');
    const keyboard = ask?.body['reply_markup'] as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    const [confirm, cancel] = keyboard.inline_keyboard[0] ?? [];
    expect(confirm?.text).toBe('Confirm');
    expect(state.audit).toHaveLength(0);

    await bot.handleUpdate(callbackUpdate(ownerChat, confirm?.callback_data ?? ''));
    expect(state.audit).toEqual([
      { state: 'halted', reason: '/halt from Telegram', changedBy: `telegram:${ownerChat}` },
    ]);
    expect(api.callsOf('answerCallbackQuery')).toHaveLength(1);
    expect(api.callsOf('editMessageText').at(-1)?.body['text']).toBe(
      'Trading state is now halted.',
    );

    // A used button does nothing twice.
    await bot.handleUpdate(callbackUpdate(ownerChat, confirm?.callback_data ?? ''));
    expect(state.audit).toHaveLength(1);
    expect(api.callsOf('answerCallbackQuery').at(-1)?.body['text']).toContain('Expired');
    expect(cancel?.text).toBe('Cancel');
  });

  it('/resume can be cancelled, /reduce and /forceexit run when confirmed', async () => {
    await bot.handleUpdate(commandUpdate(ownerChat, '/resume'));
    const cancelData = (
      api.callsOf('sendMessage').at(-1)?.body['reply_markup'] as {
        inline_keyboard: { callback_data: string }[][];
      }
    ).inline_keyboard[0]?.[1]?.callback_data;
    await bot.handleUpdate(callbackUpdate(ownerChat, cancelData ?? ''));
    expect(api.callsOf('editMessageText').at(-1)?.body['text']).toBe('Cancelled.');
    expect(state.audit).toHaveLength(0);

    for (const command of ['/reduce', '/forceexit eth/usd']) {
      await bot.handleUpdate(commandUpdate(ownerChat, command));
      const confirmData = (
        api.callsOf('sendMessage').at(-1)?.body['reply_markup'] as {
          inline_keyboard: { callback_data: string }[][];
        }
      ).inline_keyboard[0]?.[0]?.callback_data;
      await bot.handleUpdate(callbackUpdate(ownerChat, confirmData ?? ''));
    }
    expect(state.audit.map((entry) => entry.state)).toEqual(['reducing']);
    expect(state.exits).toEqual(['ETH-USD']);
    expect(api.callsOf('editMessageText').at(-1)?.body['text']).toBe(
      'Exit order ll123 sent for ETH-USD',
    );
  });

  it('an unknown chat gets nothing, cannot confirm, and is logged', async () => {
    await bot.handleUpdate(commandUpdate(strangerChat, '/status'));
    await bot.handleUpdate(commandUpdate(strangerChat, '/halt'));
    await bot.handleUpdate(callbackUpdate(strangerChat, 'll:ok:1'));
    expect(api.calls.filter((call) => call.method !== 'getMe')).toHaveLength(0);
    expect(state.audit).toHaveLength(0);
    expect(lines.filter((line) => line.includes('unauthorised chat dropped'))).toHaveLength(3);
    expect(lines.some((line) => line.includes(String(strangerChat)))).toBe(true);
  });

  it('serves commands with long polling (getUpdates) through bot.start()', async () => {
    api.updates.push(commandUpdate(strangerChat, '/status'), commandUpdate(ownerChat, '/daily'));
    const running = bot.start({ timeout: 0 });
    for (let i = 0; i < 500 && api.callsOf('sendMessage').length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await bot.stop();
    await running;
    expect(api.callsOf('getUpdates').length).toBeGreaterThan(0);
    expect(api.callsOf('sendMessage').map((call) => call.body['chat_id'])).toEqual([ownerChat]);
  });
});
