/**
 * @lumenlink/alerts: console, Telegram and Discord alert channels behind one fire-and-forget
 * {@link Notifier}, with retries, backoff and repeat collapsing.
 * @packageDocumentation
 */
export { AlertDeliveryError } from './alert-channel.js';
export type { AlertChannel, AlertDeliveryErrorOptions } from './alert-channel.js';
export { redactingChannel } from './redacting-channel.js';
export { createAlertDispatcher, repeatKey, summariseRepeats } from './alert-dispatcher.js';
export type { AlertDispatcher, AlertDispatcherOptions } from './alert-dispatcher.js';
export { formatAlertLine, type AlertLineOptions } from './alert-line.js';
export { createConsoleNotifier } from './console-notifier.js';
export type { ConsoleNotifier } from './console-notifier.js';
export { createDiscordChannel, createDiscordNotifier } from './discord-channel.js';
export type { DiscordChannelOptions } from './discord-channel.js';
export {
  embedColors,
  formatDiscordEmbed,
  formatNumber,
  formatPlainText,
  formatSigned,
  formatTelegramHtml,
} from './format.js';
export type { DiscordEmbed, DiscordEmbedField } from './format.js';
export {
  createTelegramChannel,
  createTelegramNotifier,
  toTelegramDeliveryError,
} from './telegram-channel.js';
export type { TelegramChannelOptions } from './telegram-channel.js';
export type {
  BotControl,
  BotStatus,
  DailyReport,
  ForceExitResult,
  PnlReport,
  TradeSummary,
} from '@lumenlink/core';
export {
  createTelegramCommandBot,
  registerTelegramCommands,
  telegramCommands,
} from './telegram-commands.js';
export type { TelegramCommandBotOptions, TelegramCommandsOptions } from './telegram-commands.js';
