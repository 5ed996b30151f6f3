/**
 * The logger's timestamps: the same text as pino's isoTime, made without Date.prototype.toISOString.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime } from '../src/logging.js';

test('isoTime writes what pino\'s isoTime writes (Date.prototype.toISOString), across days, months and leap days', () => {
  const times = [
    0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000,
    Date.UTC(2024, 1, 28, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 0, 0, 0, 0), Date.UTC(2024, 2, 1),
    Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), Date.UTC(2100, 1, 28, 12), Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  ];
  // Forwards, backwards and jumping about: the cached day must never leak into another day's time.
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) times.push(Math.floor(random() * Date.UTC(2200, 0, 1)));
  for (const t of [...times, ...times.reverse()]) assert.equal(isoTime(t), `,"time":"${new Date(t).toISOString()}"`, String(t));
});
