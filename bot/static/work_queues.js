// The reports inbox's "เลือกทั้งหมดในหน้านี้": ticks every row of the page and keeps the count in words.
// Without this script the form still works: the server reads "all on this page" from the page's ids.
(() => {
  // On a phone the actions start folded so the list comes first; ticking a row unfolds them.
  const panel = document.querySelector("details[data-fold-narrow]");
  if (panel && window.matchMedia("(max-width: 700px)").matches) panel.open = false;
  const all = document.querySelector("[data-select-all]");
  if (!all) return;
  const form = document.getElementById(all.getAttribute("form"));
  const rows = () => [...document.querySelectorAll(`input[name="report_id"][form="${form.id}"]`)];
  const counter = form.querySelector("[data-selected-count]");
  const show = () => {
    const ticked = rows().filter((box) => box.checked).length;
    if (ticked && panel) panel.open = true;
    if (counter) counter.textContent = ticked ? `เลือกไว้ ${ticked} ข่าว` : "ยังไม่ได้เลือกข่าว";
  };
  all.addEventListener("change", () => {
    for (const box of rows()) box.checked = all.checked;
    show();
  });
  for (const box of rows()) {
    box.addEventListener("change", () => {
      all.checked = rows().every((one) => one.checked);
      show();
    });
  }
})();
