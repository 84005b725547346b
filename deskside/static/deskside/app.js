// Small progressive enhancements; the portal works without them. No inline script: CSP forbids it.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  for (const element of document.querySelectorAll("[data-hide-with-js]")) {
    element.hidden = true;
  }
});
// The way to the organization's identity provider: follow it at once (a link, which the
// Content-Security-Policy's form-action does not govern, unlike a form's redirect).
document.addEventListener("DOMContentLoaded", () => {
  const link = document.querySelector("a[data-follow-now]");
  if (link) {
    window.location.assign(link.href);
  }
});
