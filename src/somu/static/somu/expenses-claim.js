// The line form of a claim: the tax rate follows the account's usual one, the participants
// field is asked for 交際費 accounts, and the exception list shows only without a 登録番号.
// Without JavaScript every field stays visible and the service still checks them all.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("line-form");
  if (!form) return;
  const hintsNode = document.getElementById("account-hints");
  const hints = hintsNode ? JSON.parse(hintsNode.textContent) : {};
  const account = form.querySelector("[data-account-select]");
  const rate = form.querySelector("select[name=tax_rate]");
  const number = form.querySelector("[data-registration]");
  const fieldOf = (name) => form.querySelector(`[name=${name}]`)?.closest(".field");
  const participants = fieldOf("participants");
  const exception = fieldOf("exception");
  const sync = () => {
    const hint = hints[account?.value] || {};
    if (participants) participants.hidden = hint.role !== "entertainment" && !participants.classList.contains("has-error");
    if (exception) exception.hidden = !!(number && number.value.trim()) && !exception.classList.contains("has-error");
  };
  account?.addEventListener("change", () => {
    const hint = hints[account.value];
    if (hint && rate) rate.value = hint.rate;
    sync();
  });
  number?.addEventListener("input", sync);
  sync();
});
