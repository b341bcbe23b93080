// TypeScript declarations of the <myq-topup> element: attributes, properties, methods, events.
// Attributes (strings, as HTML has them): base-url, token-url, user-id, username, provider,
// amounts, min, max, step, currency, locale, description, callback-timeout; for a help desk
// `desk` (boolean: find a user, credit cash, print a receipt), institution and operator.
// `import "/myq-topup/myq-topup.js"` registers it.

/** A payment as the events and the `approve` hook see it. Amounts are in currency units. */
export interface MyqTopupPayment {
  paymentId: string;
  /** MyQ's running number, once the widget has seen the payment in a list. */
  paymentNo: string | null;
  userId: number;
  amount: number;
  /** Recharge provider reference, e.g. "external". */
  provider: string;
}

export interface MyqTopupReadyDetail {
  userId: number;
  username: string | null;
  provider: string;
  providers: { name: string; reference: string; description: string }[];
  balance: number | null;
  /** Payments left unfinished by an earlier page. */
  pending: number;
}

/** `myq-topup-picked` (a desk only): the user the operator picked; `myq-topup-ready` follows. */
export interface MyqTopupPickedDetail {
  userId: number;
  username: string;
  /** Empty when MyQ X has none. */
  fullname: string;
  email: string;
}

export type MyqTopupCreatedDetail = MyqTopupPayment;

export interface MyqTopupCommittedDetail extends MyqTopupPayment {
  /** The credit MyQ X added. */
  credited: number;
  /** The balance after the credit, when it was known. */
  balance: number | null;
  /** Copies of this top-up's payment that reached MyQ X (a POST the browser re-sent) and were
   *  rolled back, each with a reason naming the kept payment. Usually empty. */
  duplicates: MyqTopupPayment[];
}

export interface MyqTopupRolledBackDetail extends MyqTopupPayment {
  /** The reason MyQ X keeps as the payment's description (at most 255 characters). */
  reason: string;
  /** As in MyqTopupCommittedDetail. */
  duplicates: MyqTopupPayment[];
}

export interface MyqTopupErrorDetail {
  /** "config", "input", "token", "users.find", "users.accounts", "providers",
   *  "payments.create", "payments.update", "payments.commit", "payments.rollback", "payments.list";
   *  at a desk also the gateway's "desk.shift", "desk.shift.csv", "desk.flag" */
  operation: string;
  /** HTTP status, when the server answered. */
  status: number | null;
  /** MyQ X's own error code, when its error body had one. */
  code: number | null;
  /** In English, for the page's developers; the widget shows the problem in the reader's
   *  language (`locale`: Czech for cs*, Slovak for sk*, German for de*, else English). */
  message: string;
  /** The payment concerned, when there is one. */
  paymentId: string | null;
}

export type MyqTopupOutcome =
  | ({ outcome: "committed" } & MyqTopupCommittedDetail)
  | ({ outcome: "rolled-back" } & MyqTopupRolledBackDetail);

/** MyQ's token JSON, or the bare token. */
export type MyqTopupToken = string | { access_token: string; token_type?: string; expires_in?: number };

export interface MyqTopupElement extends HTMLElement {
  /** Used instead of the `token-url` attribute when set; unsettled after `callback-timeout`
   *  seconds, the call fails with nothing created. */
  tokenProvider?: () => MyqTopupToken | Promise<MyqTopupToken>;
  /** The host's payment step, between create and commit: resolve to commit (with a number or
   *  `{amount}` to commit that amount instead, held to min, max and step), reject to roll back
   *  with the message as reason. Unsettled after `callback-timeout` seconds: rolled back. */
  approve?: (payment: MyqTopupPayment) => unknown | Promise<unknown>;
  /** Tops up `amount` (a number or a decimal string). Rejects with a MyqTopupErrorDetail. */
  topUp(amount: number | string): Promise<MyqTopupOutcome>;
  /** Reads the attributes again and reconnects. */
  refresh(): void;
}

/** The element's events. They bubble and are composed, so hosts may listen on the element, on
 *  `document` or on `window`: the three global event maps below extend this one. */
export interface MyqTopupEventMap {
  "myq-topup-ready": CustomEvent<MyqTopupReadyDetail>;
  "myq-topup-created": CustomEvent<MyqTopupCreatedDetail>;
  "myq-topup-committed": CustomEvent<MyqTopupCommittedDetail>;
  "myq-topup-rolled-back": CustomEvent<MyqTopupRolledBackDetail>;
  "myq-topup-error": CustomEvent<MyqTopupErrorDetail>;
  /** A desk (`desk` attribute) only: the operator picked a user. */
  "myq-topup-picked": CustomEvent<MyqTopupPickedDetail>;
}

declare global {
  interface HTMLElementTagNameMap {
    "myq-topup": MyqTopupElement;
  }

  interface HTMLElementEventMap extends MyqTopupEventMap {}
  interface DocumentEventMap extends MyqTopupEventMap {}
  interface WindowEventMap extends MyqTopupEventMap {}
}
