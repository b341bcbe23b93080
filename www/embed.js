// The host page's side of an embed: a fake external payment step as the `approve` hook, and a
// log of every event the widget dispatches. A real portal would run its card payment here.
const topup = document.getElementById("topup");
const step = document.getElementById("payment-step");
const log = document.getElementById("log");

topup.approve = (payment) =>
  new Promise((resolve, reject) => {
    document.getElementById("payment-amount").textContent = `${payment.amount} CZK`;
    step.hidden = false;
    const finish = (settle) => () => {
      step.hidden = true;
      settle();
    };
    document.getElementById("pay").onclick = finish(() => resolve());
    document.getElementById("decline").onclick = finish(() =>
      reject(new Error("Payment canceled by the student")),
    );
    document.getElementById("pay").focus();
  });

for (const name of ["ready", "created", "committed", "rolled-back", "error"]) {
  topup.addEventListener(`myq-topup-${name}`, (event) => {
    const item = document.createElement("li");
    item.dataset.event = name;
    // Text, never HTML: details carry text from the server.
    item.textContent = `${name}: ${JSON.stringify(event.detail)}`;
    log.append(item);
  });
}
