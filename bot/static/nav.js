// The main menu's "เมนูอื่น" closes on Escape and on a click elsewhere, like a menu people know.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.navmore[open]")) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.navmore[open]")) {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  }
});
