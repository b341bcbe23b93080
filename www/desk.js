// The help desk page's own code: asks the sign-in proxy who is signed in, shows it, and puts
// <myq-topup desk> on the page with that name as the operator. A real staff page knows who is
// signed in when it renders; here the demo sign-in proxy's /demo/whoami tells it. Whether the
// person may use the desk is the gateway's decision (operator_group), not this page's.
const who = document.getElementById("who");
const template = document.getElementById("desk-template");

/** `{ username, groups }` of whoever is signed in, or null. */
async function signedIn() {
  try {
    const response = await fetch("/demo/whoami", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return null;
    const { username, groups } = await response.json();
    return username ? { username, groups: Array.isArray(groups) ? groups : [] } : null;
  } catch {
    return null;
  }
}

const user = await signedIn();
if (user) {
  // Text, never HTML.
  const name = document.createElement("strong");
  name.textContent = user.username;
  const signOut = document.createElement("a");
  signOut.href = "/demo/sign-in";
  signOut.textContent = "sign out";
  const groups = user.groups.length ? ` (groups: ${user.groups.join(", ")})` : " (no groups)";
  who.replaceChildren("Signed in as ", name, groups, " (", signOut, ").");
  const desk = template.content.firstElementChild.cloneNode(true);
  desk.setAttribute("operator", user.username);
  template.replaceWith(desk);
} else {
  who.textContent = "Nobody is signed in.";
  document.getElementById("sign-in-first").hidden = false;
}
