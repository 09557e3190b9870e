// Person pickers: a <select data-person-picker="URL"> holding only the chosen people becomes a
// searchable box (Tom Select). Typing a name, kana or 社員番号 asks URL?q=… for at most 20
// people, so the page never carries the whole organization. Keyboard: type, ↑/↓, Enter, Esc;
// Tom Select gives the input the combobox/listbox roles screen readers expect.
(function () {
  "use strict";

  function escape(text) {
    const div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") {
      return;
    }
    const url = new URL(select.dataset.personPicker, window.location.href);
    const multiple = select.multiple;
    // Tom Select points the <label> at its own input; the original <select> stays in the page
    // (hidden, for the form) and keeps the label's text as its name for assistive technology.
    const name = select.labels && select.labels.length
      ? select.labels[0].textContent.trim() : select.getAttribute("aria-label");
    new window.TomSelect(select, {
      valueField: "id",
      labelField: "label",
      searchField: [],
      // The server has matched kana, katakana and full-width input already: keep its answer
      // and its order rather than filtering it again in the browser. Options rendered with
      // the page (the empty one, the current choice) carry no number and are not results.
      score: () => (item) => (item.number === undefined ? 0 : 1),
      sortField: [{ field: "$order" }],
      maxOptions: 20,
      loadThrottle: 250,
      allowEmptyOption: !multiple,
      placeholder: select.dataset.placeholder || "",
      plugins: multiple ? ["remove_button"] : [],
      shouldLoad: (query) => query.trim().length > 0,
      load(query, callback) {
        url.searchParams.set("q", query);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then((response) => (response.ok ? response.json() : { results: [] }))
          .then((data) => callback(data.results))
          .catch(() => callback());
      },
      render: {
        option(item) {
          const extra = [item.kana, item.department].filter(Boolean).map(escape).join(" · ");
          return `<div class="person-option"><span>${escape(item.label)}</span>` +
            (extra ? ` <small class="muted">${extra}</small>` : "") + "</div>";
        },
        item(item) {
          return `<div>${escape(item.label)}</div>`;
        },
        no_results() {
          return `<div class="no-results">${escape(select.dataset.noResults || "")}</div>`;
        },
      },
    });
    if (name) {
      select.setAttribute("aria-label", name);
    }
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[data-person-picker]").forEach(enhance);
  }

  // 社員番号 inputs (the template editor's assignee): their <datalist data-person-search="URL">
  // is filled with the matches of what is typed, so the page never lists the organization.
  let pending = null;
  document.addEventListener("input", (event) => {
    const input = event.target;
    const list = input.list;
    if (!list || !list.dataset.personSearch || !input.value.trim()) return;
    window.clearTimeout(pending);
    pending = window.setTimeout(() => {
      const url = new URL(list.dataset.personSearch, window.location.href);
      url.searchParams.set("q", input.value.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => {
          list.replaceChildren(...data.results.map((item) => {
            const option = document.createElement("option");
            option.value = item.number;
            option.textContent = item.name;
            return option;
          }));
        })
        .catch(() => {});
    }, 250);
  });

  document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
  // Forms that htmx swaps in (step panels, previews) get their pickers too.
  document.addEventListener("htmx:load", (event) => enhanceAll(event.detail.elt));
})();
