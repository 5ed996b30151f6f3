/**
 * The bank simulation's topics and Avro value schemas (after open-bank-mark's topology: string keys, Avro values
 * registered under TopicNameStrategy subjects `<topic>-value`). Amounts are euro cents.
 */

const record = (name: string, fields: { name: string; type: unknown }[]) => ({ type: 'record', name, namespace: 'samsa.bank', fields });

export const SCHEMAS = {
  heartbeat: record('Heartbeat', [{ name: 'beat', type: 'long' }]),
  confirm_account_creation: record('ConfirmAccountCreation', [{ name: 'id', type: 'string' }, { name: 'accountType', type: 'string' }]),
  account_creation_confirmed: record('AccountCreationConfirmed', [
    { name: 'id', type: 'string' }, { name: 'iban', type: 'string' }, { name: 'token', type: 'string' }, { name: 'accountType', type: 'string' },
  ]),
  confirm_money_transfer: record('ConfirmMoneyTransfer', [
    { name: 'id', type: 'string' }, { name: 'token', type: 'string' }, { name: 'amount', type: 'long' },
    { name: 'from', type: 'string' }, { name: 'to', type: 'string' }, { name: 'description', type: 'string' },
  ]),
  money_transfer_confirmed: record('MoneyTransferConfirmed', [{ name: 'id', type: 'string' }]),
  money_transfer_failed: record('MoneyTransferFailed', [{ name: 'id', type: 'string' }, { name: 'reason', type: 'string' }]),
  balance_changed: record('BalanceChanged', [
    { name: 'iban', type: 'string' }, { name: 'newBalance', type: 'long' }, { name: 'changedBy', type: 'long' },
    { name: 'fromTo', type: 'string' }, { name: 'description', type: 'string' }, { name: 'commandId', type: 'string' },
  ]),
} as const;

export type TopicKey = keyof typeof SCHEMAS;
export const TOPIC_KEYS = Object.keys(SCHEMAS) as TopicKey[];

export interface Heartbeat { beat: number }
export interface ConfirmAccountCreation { id: string; accountType: string }
export interface AccountCreationConfirmed { id: string; iban: string; token: string; accountType: string }
export interface ConfirmMoneyTransfer { id: string; token: string; amount: number; from: string; to: string; description: string }
export interface MoneyTransferConfirmed { id: string }
export interface MoneyTransferFailed { id: string; reason: string }
export interface BalanceChanged { iban: string; newBalance: number; changedBy: number; fromTo: string; description: string; commandId: string }

/** Accounts of this bank have IBANs with the OPEN bank code; anything else is another bank's. */
export const isOurs = (iban: string) => iban.slice(4, 8) === 'OPEN';
export const ibanFor = (n: number) => `NL${String(10 + (n % 90))}OPEN${String(n).padStart(10, '0')}`;
export const EXTERNAL_IBAN = 'NL42EXTB0123456789';
export const INSUFFICIENT = 'insufficient balance';
