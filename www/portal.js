// The student portal page's own code: asks the sign-in proxy who is signed in, shows it, and
// puts <myq-topup> on the page for that student. A real portal knows who is signed in when it
// renders the page; here the demo sign-in proxy's /demo/whoami tells it.
const who = document.getElementById("who");
const template = document.getElementById("topup-template");

/** The signed-in username, or null. */
async function signedIn() {
  try {
    const response = await fetch("/demo/whoami", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    return response.ok ? ((await response.json()).username ?? null) : null;
  } catch {
    return null;
  }
}

const username = await signedIn();
if (username) {
  // Text, never HTML.
  const name = document.createElement("strong");
  name.textContent = username;
  const signOut = document.createElement("a");
  signOut.href = "/demo/sign-in";
  signOut.textContent = "sign out";
  who.replaceChildren("Signed in as ", name, " (", signOut, ").");
  const topup = template.content.firstElementChild.cloneNode(true);
  topup.setAttribute("username", username);
  template.replaceWith(topup);
} else {
  who.textContent = "Nobody is signed in.";
  document.getElementById("sign-in-first").hidden = false;
}
