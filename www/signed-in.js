// The demo pages' own code (portal.html, desk.html): asks the sign-in proxy who is signed in,
// shows it, and puts the page's <template id="signed-in-template"> element on the page for that
// person. A real portal or staff page knows who is signed in when it renders; here the demo
// sign-in proxy's /demo/whoami tells it. Whether the person may use the desk is the gateway's
// decision (operator_group), not the page's.
//
// The template says how: data-name-attribute names the element's attribute that gets the
// username (`username` for a student's widget, `operator` for the desk), and data-show-groups
// shows the person's groups beside the name.
const who = document.getElementById("who");
const template = document.getElementById("signed-in-template");
const { nameAttribute, showGroups } = template.dataset;

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
  const groups = showGroups === undefined
    ? ""
    : user.groups.length ? ` (groups: ${user.groups.join(", ")})` : " (no groups)";
  who.replaceChildren("Signed in as ", name, groups, " (", signOut, ").");
  const element = template.content.firstElementChild.cloneNode(true);
  element.setAttribute(nameAttribute, user.username);
  template.replaceWith(element);
} else {
  who.textContent = "Nobody is signed in.";
  document.getElementById("sign-in-first").hidden = false;
}
