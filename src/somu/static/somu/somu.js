// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle=nav]");
  if (toggle) {
    const nav = document.getElementById("mainnav");
    if (nav) {
      nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", nav.classList.contains("open") ? "true" : "false");
    }
  }
  const confirmable = event.target.closest("[data-confirm]");
  if (confirmable && !window.confirm(confirmable.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});
// After htmx changes the address (search, filters, pages), the language switch must come back
// to the same filtered page, not the one first loaded.
document.addEventListener("htmx:pushedIntoHistory", () => {
  document.querySelectorAll(".lang-switch input[name=next]").forEach((input) => {
    input.value = window.location.pathname + window.location.search;
  });
});
