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
// Upload forms (imports): a progress bar while the file is sent, then "processing" until the
// server has checked every row. Markup: templates/_upload_progress.html in a form[data-upload-progress].
function uploadPhase(form, phase) {
  form.querySelector("[data-phase=upload]").hidden = phase !== "upload";
  form.querySelector("[data-phase=process]").hidden = phase !== "process";
}
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.target.closest && event.target.closest("form[data-upload-progress]");
  if (form) {
    form.querySelector("progress").value = 0;
    uploadPhase(form, "upload");
  }
});
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest && event.target.closest("form[data-upload-progress]");
  if (!form || !event.detail.lengthComputable) {
    return;
  }
  const bar = form.querySelector("progress");
  bar.value = Math.round((event.detail.loaded * 100) / event.detail.total);
  if (event.detail.loaded >= event.detail.total) {
    bar.removeAttribute("value");  // indeterminate while the server works
    uploadPhase(form, "process");
  }
});
// A table wider than the screen scrolls inside its .table-wrap: such a frame takes the keyboard
// focus so that it can be scrolled without a mouse (WCAG: scrollable regions are focusable).
function focusScrollingTables() {
  document.querySelectorAll(".table-wrap").forEach((frame) => {
    const scrolls = frame.scrollWidth > frame.clientWidth + 1;
    if (scrolls && !frame.hasAttribute("tabindex")) {
      frame.tabIndex = 0;
      frame.dataset.scrollFocus = "";
    } else if (!scrolls && "scrollFocus" in frame.dataset) {
      frame.removeAttribute("tabindex");
      delete frame.dataset.scrollFocus;
    }
  });
}
focusScrollingTables();
document.addEventListener("htmx:afterSettle", focusScrollingTables);
window.addEventListener("resize", focusScrollingTables);
