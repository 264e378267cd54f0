/**
 * Telegram control of the bot with grammy: read-only commands answer at once; state changes
 * and force exits ask for confirmation with an inline button. Only configured chats are served.
 */
import { Bot, InlineKeyboard } from 'grammy';
import type { Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { createRedactor, escapeHtml, parseSymbol } from '@lumenlink/core';
import type { Clock, Decision, Logger, SymbolId, TradingState } from '@lumenlink/core';
import type { BotControl, BotStrategyStatus } from '@lumenlink/core';
import { formatNumber, formatSigned } from './format.js';

/** Options of {@link registerTelegramCommands}. */
export interface TelegramCommandsOptions {
  readonly control: BotControl;
  /** Chats allowed to use the bot; updates from any other chat are dropped and logged. */
  readonly allowedChatIds: readonly (number | string)[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Secrets cut out of replies and logs (the bot token is always added by {@link createTelegramCommandBot}). */
  readonly secrets?: readonly string[];
  /** How long a confirmation button stays valid, in ms (default 120 000). */
  readonly confirmTtlMs?: number;
  /** Trades listed by `/trades` (default 10). */
  readonly tradesLimit?: number;
  /** Decisions listed by `/why` (default 5). */
  readonly whyLimit?: number;
}

/** Options of {@link createTelegramCommandBot}. */
export interface TelegramCommandBotOptions extends TelegramCommandsOptions {
  readonly token: string;
  /** Bot API root without a trailing slash (default Telegram's; tests use a local server). */
  readonly apiRoot?: string;
  /** The bot's own user; when given, no `getMe` is needed before handling updates. */
  readonly botInfo?: UserFromGetMe;
}

/** The commands, with their one-line help. */
export const telegramCommands = [
  ['status', 'mode, trading state, strategy and parameters, circuit breaker, last candle'],
  ['positions', 'open positions'],
  ['balance', 'balances per currency'],
  ['pnl', 'equity and P&L since the start'],
  ['daily', "today's P&L"],
  ['trades', 'recent trades'],
  ['why', '<symbol>: last signals and every risk verdict'],
  ['forceexit', '<symbol>: close a position at market (asks to confirm)'],
  ['halt', 'stop all orders, exits included (asks to confirm)'],
  ['reduce', 'exits only (asks to confirm)'],
  ['resume', 'trade normally again (asks to confirm)'],
  ['help', 'this list'],
] as const;

type PendingAction =
  | { readonly kind: 'state'; readonly state: TradingState; readonly command: string }
  | { readonly kind: 'force_exit'; readonly symbol: SymbolId };

interface Pending {
  readonly action: PendingAction;
  readonly chatId: number;
  readonly expiresAt: number;
}

const stateCommands: Readonly<Record<'halt' | 'reduce' | 'resume', TradingState>> = {
  halt: 'halted',
  reduce: 'reducing',
  resume: 'active',
};

/** The `/status` lines of the strategy: label, its file and hash, its parameters. */
function strategyLines(strategy: BotStrategyStatus | undefined): string[] {
  if (strategy === undefined) return [];
  const { source, params } = strategy;
  return [
    `Strategy: <b>${escapeHtml(strategy.label)}</b>`,
    ...(source?.path === undefined
      ? []
      : [
          `Source: ${escapeHtml(source.path)}${source.sha256 === undefined ? '' : ` (sha256 ${source.sha256.slice(0, 12)}…)`}`,
        ]),
    ...(params === undefined ? [] : [`Params: <code>${escapeHtml(JSON.stringify(params))}</code>`]),
  ];
}

function isoTime(ms: number | null): string {
  return ms === null ? 'n/a' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Telegram's message limit; longer replies are cut at a line end (each line closes its tags). */
const telegramMaxLength = 4096;

function fitTelegram(text: string): string {
  if (text.length <= telegramMaxLength) return text;
  const cut = text.lastIndexOf('\n', telegramMaxLength - 2);
  return `${text.slice(0, cut > 0 ? cut : 0)}\n…`;
}

function formatDecision(decision: Decision): string {
  const signal = decision.signal;
  const lines = [
    `<b>${escapeHtml(isoTime(decision.candleTime))}</b> ${escapeHtml(signal.action)} (${formatNumber(signal.confidence, 2)}) -&gt; ${escapeHtml(decision.outcome)}`,
    `  ${escapeHtml(signal.reason)}`,
  ];
  if (decision.note.length > 0) lines.push(`  note: ${escapeHtml(decision.note)}`);
  for (const check of decision.verdict?.checks ?? []) {
    lines.push(
      `  ${escapeHtml(check.outcome)} ${escapeHtml(check.name)}: ${escapeHtml(check.reason)}`,
    );
  }
  return lines.join('\n');
}

/**
 * Registers the LumenLink commands on a grammy bot. An authorisation middleware runs first:
 * updates from chats not in `allowedChatIds` get no answer and are logged.
 *
 * @example
 * ```ts
 * const bot = new Bot(token);
 * registerTelegramCommands(bot, { control, allowedChatIds: [12345], clock, logger });
 * void bot.start();
 * ```
 */
export function registerTelegramCommands(bot: Bot, options: TelegramCommandsOptions): void {
  const { control, clock } = options;
  const logger = options.logger.child({ module: 'telegram-commands' });
  const redact = createRedactor(options.secrets ?? []);
  const allowed = new Set(options.allowedChatIds.map(String));
  const confirmTtlMs = options.confirmTtlMs ?? 120_000;
  const pending = new Map<string, Pending>();
  let nextNonce = 1;

  const reply = async (ctx: Context, text: string): Promise<void> => {
    await ctx.reply(fitTelegram(redact(text)), { parse_mode: 'HTML' });
  };

  const guarded =
    (command: string, run: (ctx: Context) => Promise<void>) =>
    async (ctx: Context): Promise<void> => {
      logger.info('telegram command', { command, chatId: ctx.chat?.id });
      try {
        await run(ctx);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        logger.warn('telegram command failed', { command, error: redact(message) });
        await reply(ctx, `/${command} failed: ${escapeHtml(message)}`);
      }
    };

  const argument = (ctx: Context): string =>
    (typeof ctx.match === 'string' ? ctx.match : '').trim().toUpperCase();

  const askConfirmation = async (ctx: Context, action: PendingAction, question: string) => {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) return;
    for (const [nonce, entry] of pending) if (entry.expiresAt <= clock.now()) pending.delete(nonce);
    const nonce = String(nextNonce++);
    pending.set(nonce, { action, chatId, expiresAt: clock.now() + confirmTtlMs });
    await ctx.reply(escapeHtml(question), {
      parse_mode: 'HTML',
      reply_markup: new InlineKeyboard()
        .text('Confirm', `ll:ok:${nonce}`)
        .text('Cancel', `ll:no:${nonce}`),
    });
  };

  // Authorisation first: nothing below sees a foreign chat.
  bot.use(async (ctx, next) => {
    const chatId = ctx.chat?.id;
    if (chatId === undefined || !allowed.has(String(chatId))) {
      logger.warn('telegram update from unauthorised chat dropped', {
        chatId: chatId ?? null,
        fromId: ctx.from?.id ?? null,
        updateId: ctx.update.update_id,
      });
      return;
    }
    await next();
  });

  bot.command(
    'status',
    guarded('status', async (ctx) => {
      const status = await control.status();
      const state = status.tradingState;
      await reply(
        ctx,
        [
          `<b>LumenLink</b> ${escapeHtml(status.mode)} on ${escapeHtml(status.exchange)}`,
          ...(status.modeText === undefined ? [] : [`Mode: <b>${escapeHtml(status.modeText)}</b>`]),
          `State: <b>${escapeHtml(state.state)}</b> (${escapeHtml(state.reason)}, by ${escapeHtml(state.changedBy)})`,
          `Symbols: ${escapeHtml(status.symbols.join(', '))}`,
          ...strategyLines(status.strategy),
          `Circuit breaker: ${status.circuitOpen ? 'OPEN (entries blocked)' : 'closed'}`,
          ...(status.pausedSymbols ?? []).map(
            (pause) =>
              `Paused: <b>${escapeHtml(pause.symbol)}</b> (exits only): ${escapeHtml(pause.reason)}`,
          ),
          `Last candle: ${isoTime(status.lastCandleAt)}`,
          `Up since: ${isoTime(status.startedAt)}`,
        ].join('\n'),
      );
    }),
  );

  bot.command(
    'positions',
    guarded('positions', async (ctx) => {
      const positions = await control.positions();
      await reply(
        ctx,
        positions.length === 0
          ? 'No open positions.'
          : positions
              .map(
                (position) =>
                  `<b>${escapeHtml(position.symbol)}</b> ${formatNumber(position.quantity)} @ ${formatNumber(position.avgEntryPrice)} (${escapeHtml(position.state)}, realized ${formatSigned(position.realizedPnl)})`,
              )
              .join('\n'),
      );
    }),
  );

  bot.command(
    'balance',
    guarded('balance', async (ctx) => {
      const entries = Object.entries(await control.balance()).filter(([, b]) => b.total !== 0);
      await reply(
        ctx,
        entries.length === 0
          ? 'No balances.'
          : entries
              .map(
                ([currency, b]) =>
                  `<b>${escapeHtml(currency)}</b> ${formatNumber(b.total)} (free ${formatNumber(b.free)}, used ${formatNumber(b.used)})`,
              )
              .join('\n'),
      );
    }),
  );

  bot.command(
    'pnl',
    guarded('pnl', async (ctx) => {
      const pnl = await control.pnl();
      await reply(
        ctx,
        [
          `Equity: ${pnl.equity.toFixed(2)} (peak ${pnl.peakEquity.toFixed(2)})`,
          `Realized: ${formatSigned(pnl.realizedPnl)}`,
          `Unrealized: ${formatSigned(pnl.unrealizedPnl)}`,
          `Today: ${formatSigned(pnl.dailyPnl)}`,
        ].join('\n'),
      );
    }),
  );

  bot.command(
    'daily',
    guarded('daily', async (ctx) => {
      const daily = await control.daily();
      await reply(
        ctx,
        `<b>${escapeHtml(daily.day)}</b>: ${formatSigned(daily.pnl)}, equity ${daily.equity.toFixed(2)}, ${daily.trades} trade${daily.trades === 1 ? '' : 's'}`,
      );
    }),
  );

  bot.command(
    'trades',
    guarded('trades', async (ctx) => {
      const trades = await control.trades(options.tradesLimit ?? 10);
      await reply(
        ctx,
        trades.length === 0
          ? 'No trades yet.'
          : trades
              .map(
                (trade) =>
                  `<b>${escapeHtml(trade.symbol)}</b> ${formatNumber(trade.quantity)} ${formatNumber(trade.entryPrice)} -&gt; ${trade.exitPrice === null ? 'open' : formatNumber(trade.exitPrice)}${trade.pnl === null ? '' : ` ${formatSigned(trade.pnl)}`} (${isoTime(trade.openedAt)})`,
              )
              .join('\n'),
      );
    }),
  );

  bot.command(
    'why',
    guarded('why', async (ctx) => {
      const text = argument(ctx);
      if (text.length === 0) {
        await reply(ctx, 'Usage: /why &lt;symbol&gt;');
        return;
      }
      const symbol = parseSymbol(text);
      const decisions = (await control.why(symbol)).slice(0, options.whyLimit ?? 5);
      await reply(
        ctx,
        decisions.length === 0
          ? `No decisions recorded for ${escapeHtml(symbol)}.`
          : [`<b>Why ${escapeHtml(symbol)}</b>`, ...decisions.map(formatDecision)].join('\n'),
      );
    }),
  );

  bot.command(
    'forceexit',
    guarded('forceexit', async (ctx) => {
      const text = argument(ctx);
      if (text.length === 0) {
        await reply(ctx, 'Usage: /forceexit &lt;symbol&gt;');
        return;
      }
      const symbol = parseSymbol(text);
      await askConfirmation(
        ctx,
        { kind: 'force_exit', symbol },
        `Close the ${symbol} position at market?`,
      );
    }),
  );

  for (const command of ['halt', 'reduce', 'resume'] as const) {
    const state = stateCommands[command];
    bot.command(
      command,
      guarded(command, async (ctx) => {
        await askConfirmation(
          ctx,
          { kind: 'state', state, command },
          `Set trading state to ${state}?${state === 'halted' ? ' No orders at all, exits included: open positions are unprotected.' : ''}`,
        );
      }),
    );
  }

  bot.command(
    'help',
    guarded('help', async (ctx) => {
      await reply(
        ctx,
        telegramCommands.map(([name, text]) => `/${name} ${escapeHtml(text)}`).join('\n'),
      );
    }),
  );

  bot.callbackQuery(/^ll:(ok|no):(\d+)$/, async (ctx) => {
    const [, answer, nonce = ''] = ctx.match;
    const entry = pending.get(nonce);
    const chatId = ctx.chat?.id;
    pending.delete(nonce);
    if (entry === undefined || entry.chatId !== chatId || entry.expiresAt <= clock.now()) {
      await ctx.answerCallbackQuery({ text: 'Expired; send the command again.' });
      return;
    }
    await ctx.answerCallbackQuery();
    if (answer === 'no') {
      await ctx.editMessageText('Cancelled.');
      return;
    }
    const changedBy = `telegram:${chatId}`;
    try {
      if (entry.action.kind === 'state') {
        const record = await control.setTradingState(
          entry.action.state,
          `/${entry.action.command} from Telegram`,
          changedBy,
        );
        logger.info('trading state changed from telegram', { state: record.state, changedBy });
        await ctx.editMessageText(`Trading state is now ${record.state}.`);
      } else {
        const result = await control.forceExit(entry.action.symbol);
        logger.info('force exit from telegram', {
          symbol: entry.action.symbol,
          submitted: result.submitted,
          changedBy,
        });
        await ctx.editMessageText(redact(result.message));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn('telegram confirmed action failed', { error: redact(message), changedBy });
      await ctx.editMessageText(redact(`Failed: ${message}`));
    }
  });

  bot.catch((error) => {
    const message = error.error instanceof Error ? error.error.message : String(error.error);
    logger.error('telegram update failed', {
      updateId: error.ctx.update.update_id,
      error: redact(message),
    });
  });
}

/**
 * A grammy bot with the LumenLink commands registered, talking to `apiRoot`. Start it with
 * `bot.start()` (long polling) and stop it with `bot.stop()`.
 *
 * @example
 * ```ts
 * const bot = createTelegramCommandBot({ token, control, allowedChatIds: [12345], clock, logger });
 * void bot.start();
 * ```
 */
export function createTelegramCommandBot(options: TelegramCommandBotOptions): Bot {
  const bot = new Bot(options.token, {
    ...(options.botInfo === undefined ? {} : { botInfo: options.botInfo }),
    client: {
      ...(options.apiRoot === undefined ? {} : { apiRoot: options.apiRoot.replace(/\/+$/, '') }),
    },
  });
  registerTelegramCommands(bot, {
    ...options,
    secrets: [...(options.secrets ?? []), options.token],
  });
  return bot;
}
