// What a host page writes against www/myq-topup.d.ts, type-checked with `tsc --strict` by
// `cargo xtask test`. Never run: each line only has to type-check, or, under
// `@ts-expect-error`, to fail to.
import type {
  MyqTopupElement,
  MyqTopupErrorDetail,
  MyqTopupEventMap,
  MyqTopupPayment,
} from "../../www/myq-topup.js";

const found = document.querySelector("myq-topup");
if (found) {
  // The tag name alone types the element.
  const el: MyqTopupElement = found;

  el.tokenProvider = async () => {
    const answer = await fetch("/portal/myq-token", { method: "POST" });
    return (await answer.json()) as { access_token: string; expires_in: number };
  };
  el.tokenProvider = () => "bare-token";
  // @ts-expect-error: a token is a string or MyQ's token JSON, not a number
  el.tokenProvider = () => 42;

  el.approve = async (payment) => {
    const id: string = payment.paymentId;
    const number: string | null = payment.paymentNo;
    const user: number = payment.userId;
    const provider: string = payment.provider;
    console.log(id, number, user, provider);
    // @ts-expect-error: a payment has no currency
    console.log(payment.currency);
    return { amount: payment.amount + 10 };
  };

  void (async () => {
    const result = await el.topUp(100);
    if (result.outcome === "committed") {
      const credited: number = result.credited;
      const balance: number | null = result.balance;
      console.log(credited, balance);
      // @ts-expect-error: only a rolled-back outcome has a reason
      console.log(result.reason);
    } else {
      const reason: string = result.reason;
      console.log(reason);
      // @ts-expect-error: only a committed outcome has the credit
      console.log(result.credited);
    }
    await el.topUp("12.50");
    // @ts-expect-error: an amount is a number or a decimal string
    await el.topUp({ amount: 100 });
    // @ts-expect-error: one amount per top-up
    await el.topUp();
  })().catch((error: MyqTopupErrorDetail) => console.log(error.operation, error.status));

  el.refresh();
  // @ts-expect-error: refresh takes no argument
  el.refresh(true);

  // Every listener on the element, on document and on window: the events bubble and are
  // composed. Each lambda below type-checks only if that target's event map has the events.
  readEveryDetail((type, listener) => el.addEventListener(type, listener));
  readEveryDetail((type, listener) => document.addEventListener(type, listener));
  readEveryDetail((type, listener) => window.addEventListener(type, listener));
  // What a host writes most: an inline listener on document, its event typed by name alone.
  document.addEventListener("myq-topup-committed", (e) => {
    const duplicate: string | undefined = e.detail.duplicates[0]?.paymentId;
    console.log(duplicate);
  });
  window.addEventListener("myq-topup-error", (e) => console.log(e.detail.operation));
  // @ts-expect-error: a listener for one event cannot take another's detail
  document.addEventListener("myq-topup-ready", (e: CustomEvent<MyqTopupErrorDetail>) => e);

  // The shared map names every event once.
  const names: (keyof MyqTopupEventMap)[] = [
    "myq-topup-ready",
    "myq-topup-created",
    "myq-topup-committed",
    "myq-topup-rolled-back",
    "myq-topup-error",
    "myq-topup-picked",
  ];
  console.log(names);
  // @ts-expect-error: no such event
  const unknown: keyof MyqTopupEventMap = "myq-topup-done";
  console.log(unknown);
}

/** `addEventListener` of one target, for the events of the shared map. */
type Listen = <K extends keyof MyqTopupEventMap>(
  type: K,
  listener: (event: MyqTopupEventMap[K]) => void,
) => void;

/** Reads every field of every event's detail, each with its type. */
function readEveryDetail(listen: Listen) {
  listen("myq-topup-ready", (e) => {
    const user: number = e.detail.userId;
    const username: string | null = e.detail.username;
    const provider: string = e.detail.provider;
    const name: string | undefined = e.detail.providers[0]?.name;
    const reference: string | undefined = e.detail.providers[0]?.reference;
    const description: string | undefined = e.detail.providers[0]?.description;
    const balance: number | null = e.detail.balance;
    const pending: number = e.detail.pending;
    console.log(user, username, provider, name, reference, description, balance, pending);
    // @ts-expect-error: ready has no payment
    console.log(e.detail.paymentId);
  });
  listen("myq-topup-created", (e) => {
    const payment: MyqTopupPayment = e.detail;
    const amount: number = e.detail.amount;
    console.log(payment, amount);
    // @ts-expect-error: nothing is credited yet
    console.log(e.detail.credited);
  });
  listen("myq-topup-committed", (e) => {
    const credited: number = e.detail.credited;
    const balance: number | null = e.detail.balance;
    const duplicate: string | undefined = e.detail.duplicates[0]?.paymentId;
    console.log(credited, balance, duplicate);
    // @ts-expect-error: a committed payment has no reason
    console.log(e.detail.reason);
  });
  listen("myq-topup-rolled-back", (e) => {
    const reason: string = e.detail.reason;
    const duplicate: number | undefined = e.detail.duplicates[0]?.userId;
    console.log(reason, duplicate);
    // @ts-expect-error: a rolled-back payment credited nothing
    console.log(e.detail.credited);
  });
  listen("myq-topup-picked", (e) => {
    const user: number = e.detail.userId;
    const username: string = e.detail.username;
    const fullname: string = e.detail.fullname;
    const email: string = e.detail.email;
    console.log(user, username, fullname, email);
    // @ts-expect-error: a pick knows no balance yet
    console.log(e.detail.balance);
  });
  listen("myq-topup-error", (e) => {
    const operation: string = e.detail.operation;
    const status: number | null = e.detail.status;
    const code: number | null = e.detail.code;
    const message: string = e.detail.message;
    const payment: string | null = e.detail.paymentId;
    console.log(operation, status, code, message, payment);
    // @ts-expect-error: an error names no amount
    console.log(e.detail.amount);
  });
}
