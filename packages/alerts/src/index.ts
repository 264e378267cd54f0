/**
 * @lumenlink/alerts: LumenLink alerts: console, Telegram and Discord notifiers, and Telegram control of the bot.
 *
 * This package is reserved and published empty until issue #13 fills it; it exports nothing yet.
 * @packageDocumentation
 */
export {};
