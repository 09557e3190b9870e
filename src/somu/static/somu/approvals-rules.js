// The approval rules editor: add, copy and remove table lines. Without it the page still
// works (one empty line is always offered below the table).
document.addEventListener("click", (event) => {
  const editor = event.target.closest(".rule-editor");
  if (!editor) return;
  const body = editor.querySelector("[data-rule-lines]");
  if (event.target.closest("[data-line-add]")) {
    const blank = editor.querySelector("template[data-rule-blank]");
    body.append(blank.content.cloneNode(true));
    body.lastElementChild.querySelector("input")?.focus();
    return;
  }
  const line = event.target.closest("[data-rule-line]");
  if (!line) return;
  if (event.target.closest("[data-line-copy]")) {
    const copy = line.cloneNode(true);
    line.querySelectorAll("select").forEach((select, i) => {
      copy.querySelectorAll("select")[i].selectedIndex = select.selectedIndex;
    });
    copy.classList.remove("has-error");
    copy.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const errors = line.nextElementSibling?.matches("[data-line-errors]") ? line.nextElementSibling : line;
    errors.after(copy);
  } else if (event.target.closest("[data-line-remove]")) {
    if (line.nextElementSibling?.matches("[data-line-errors]")) line.nextElementSibling.remove();
    line.remove();
  }
});
