// The questionnaire: running totals, the month-by-month toggle, search. No libraries; the form
// works without this file (the server computes the totals and validates every value).
(() => {
  "use strict";

  const form = document.getElementById("questionnaire");
  if (!form) {
    return;
  }
  const rows = Array.from(form.querySelectorAll("[data-q-row]"));
  const sections = Array.from(form.querySelectorAll("[data-q-section]"));
  const totals = document.querySelector("[data-q-totals]");
  const max = totals ? Number(totals.dataset.max) : 400;
  let dirty = false;

  // Hours as people type them: full-width digits, commas. Anything unreadable counts as 0 here;
  // the server says what is wrong with it.
  const hours = (text) => {
    const clean = (text || "").normalize("NFKC").replace(/,/g, "").trim();
    if (clean === "") {
      return 0;
    }
    const value = Number(clean);
    return Number.isFinite(value) && value >= 0 ? value : 0;
  };
  const round1 = (value) => String(Math.round(value * 10) / 10);

  const varies = (row) => row.querySelector(".q-varies").checked;
  const months = (row) => Array.from(row.querySelectorAll(".q-months input"));
  const template = document.getElementById("q-month-inputs");

  // The twelve monthly inputs of a row, added from the page's template the first time.
  function ensureMonths(row) {
    const box = row.querySelector(".q-months");
    if (box.querySelector("input") || !template) {
      return;
    }
    box.appendChild(template.content.cloneNode(true));
    box.querySelectorAll("input").forEach((input, i) => {
      input.name = `m-${row.dataset.qRow}-${i}`;
    });
  }
  const single = (row) => row.querySelector(".q-h");
  const level = (row) => row.querySelector("select");

  const values = (row) =>
    varies(row) ? months(row).map((input) => hours(input.value)) : Array(12).fill(hours(single(row).value));

  const answered = (row) =>
    (varies(row) ? months(row).some((input) => input.value.trim() !== "") : single(row).value.trim() !== "") ||
    level(row).value !== "";

  function update() {
    const sums = Array(12).fill(0);
    rows.forEach((row) => values(row).forEach((value, i) => { sums[i] += value; }));
    if (totals) {
      sums.forEach((sum, i) => {
        const cell = totals.querySelector(`[data-q-month="${i}"]`);
        if (cell) {
          cell.textContent = round1(sum);
        }
      });
      const average = sums.reduce((a, b) => a + b, 0) / 12;
      totals.querySelector("[data-q-average]").textContent = round1(average);
      totals.querySelector("[data-q-over]").hidden = average <= max;
    }
    let done = 0;
    sections.forEach((section) => {
      const own = Array.from(section.querySelectorAll("[data-q-row]"));
      const n = own.filter(answered).length;
      done += n;
      section.querySelector("[data-q-count]").textContent = `${n} / ${own.length}`;
    });
    const counter = document.querySelector("[data-q-answered]");
    if (counter) {
      counter.textContent = String(done);
    }
  }

  // Ticking "varies by month" starts the twelve months from the monthly figure already typed.
  form.addEventListener("change", (event) => {
    if (event.target.matches(".q-varies")) {
      const row = event.target.closest("[data-q-row]");
      if (event.target.checked) {
        ensureMonths(row);
      }
      row.classList.toggle("varies", event.target.checked);
      const typed = single(row).value.trim();
      if (event.target.checked && typed !== "" && months(row).every((input) => input.value.trim() === "")) {
        months(row).forEach((input) => { input.value = typed; });
      }
      const first = event.target.checked ? months(row)[0] : single(row);
      first.focus();
    }
    update();
  });
  form.addEventListener("input", () => {
    dirty = true;
    update();
  });

  // Search and "only tasks I answered": hide rows, then empty groups and sections.
  const search = document.querySelector("[data-q-search]");
  const mine = document.querySelector("[data-q-mine]");
  const nomatch = document.querySelector("[data-q-nomatch]");
  const norm = (text) => (text || "").normalize("NFKC").toLowerCase();
  function filter() {
    const words = norm(search ? search.value : "").split(/\s+/).filter(Boolean);
    const onlyMine = mine ? mine.checked : false;
    const active = words.length > 0 || onlyMine;
    let shown = 0;
    rows.forEach((row) => {
      const group = row.closest("[data-q-group]");
      const heading = group ? group.querySelector("h3").textContent : "";
      const text = norm(`${heading} ${row.querySelector(".q-task").textContent}`);
      const match = words.every((word) => text.includes(word)) && (!onlyMine || answered(row));
      row.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    form.querySelectorAll("[data-q-group]").forEach((group) => {
      group.hidden = !group.querySelector("[data-q-row]:not([hidden])");
    });
    sections.forEach((section) => {
      const any = section.querySelector("[data-q-row]:not([hidden])");
      section.hidden = !any;
      if (active && any) {
        section.open = true;
      }
    });
    if (nomatch) {
      nomatch.hidden = shown > 0;
    }
  }
  if (search) {
    search.addEventListener("input", filter);
    // The search box is outside the form, but Enter should never leave the page.
    search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }
  if (mine) {
    mine.addEventListener("change", filter);
  }
  // Words typed before this script ran (the page is long), or restored by the browser on
  // going back, filter too.
  if ((search && search.value) || (mine && mine.checked)) {
    filter();
  }

  // Enter in the "propose a task" fields proposes the task instead of saving the questionnaire.
  const proposeButton = form.querySelector("[data-q-propose-button]");
  form.querySelectorAll("[data-q-propose]").forEach((input) => {
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && proposeButton) {
        event.preventDefault();
        proposeButton.click();
      }
    });
  });

  // Leaving with unsaved changes asks first; saving, submitting and proposing do not.
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // The sticky total bar must never cover the field that has the focus (WCAG 2.4.7): the page
  // keeps a scroll padding as tall as the bar, which grows when it wraps on a narrow screen.
  const footer = form.querySelector(".q-footer");
  if (footer && "ResizeObserver" in window) {
    const pad = () => {
      document.documentElement.style.setProperty("--q-footer-height", `${footer.offsetHeight}px`);
    };
    new ResizeObserver(pad).observe(footer);
    pad();
  }

  update();
})();
