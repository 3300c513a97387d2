// FieldLine's LINE emulator: poll the chat's timeline, send what the persona does. No build step.
(function () {
  "use strict";
  const root = document.getElementById("chat");
  if (!root) return;

  const persona = root.dataset.persona;
  const chat = root.dataset.chat;
  const messages = document.getElementById("messages");
  const quick = document.getElementById("quick");
  const banner = document.getElementById("banner");
  const composer = document.getElementById("composer");
  const text = document.getElementById("text");
  const photo = document.getElementById("photo");
  const locationForm = document.getElementById("location-form");
  const richmenu = document.getElementById("richmenu");
  const pc = document.getElementById("pc");
  let after = 0;
  let richmenuId = null;
  let shownQuick = "";
  let polling = false;

  function toast(message) {
    const node = document.createElement("div");
    node.className = "toast";
    node.textContent = message;
    root.appendChild(node);
    setTimeout(() => node.remove(), 3500);
  }

  function entryNode(entry) {
    if (entry.side === "system") {
      const note = document.createElement("div");
      note.className = "system";
      note.innerHTML = entry.html;
      return note;
    }
    const row = document.createElement("div");
    row.className = "row-msg " + entry.side;
    row.dataset.seq = entry.seq;
    if (entry.side !== "me") {
      const avatar = document.createElement("div");
      avatar.className = "avatar" + (entry.side === "bot" ? " bot" : "");
      avatar.textContent = entry.avatar || "?";
      row.appendChild(avatar);
    }
    const stack = document.createElement("div");
    stack.className = "stack";
    if (entry.side !== "me") {
      const name = document.createElement("div");
      name.className = "name";
      name.textContent = entry.name;
      if (entry.method && entry.method !== "reply") {
        const method = document.createElement("span");
        method.className = "method";
        method.textContent = entry.method;
        method.title = "ส่งแบบ " + entry.method + " (ไม่ใช่ reply)";
        name.appendChild(method);
      }
      stack.appendChild(name);
    }
    const body = document.createElement("div");
    body.className = "content";
    body.innerHTML = entry.html;
    stack.appendChild(body);
    row.appendChild(stack);
    const time = document.createElement("div");
    time.className = "time";
    time.textContent = entry.time;
    row.appendChild(time);
    return row;
  }

  function show(id, visible) {
    const node = document.getElementById(id);
    if (node) node.hidden = !visible;
  }

  function setBanner(message, kind) {
    banner.hidden = !message;
    banner.textContent = message || "";
    if (message && kind) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.kind = kind;
      button.textContent = kind === "invite" ? "เชิญบอทเข้ากลุ่ม" : "เพิ่มเพื่อน";
      banner.appendChild(button);
    }
  }

  function applyState(state) {
    const isGroup = chat !== "bot";
    let usable = true;
    if (isGroup) {
      show("invite", !state.bot_in_chat);
      show("remove", state.bot_in_chat);
      usable = state.bot_in_chat;
      setBanner(state.bot_in_chat ? "" : "บอทยังไม่อยู่ในกลุ่มนี้ เชิญบอทก่อนจึงจะคุยได้", state.bot_in_chat ? null : "invite");
    } else {
      const follow = document.getElementById("follow");
      if (follow) follow.textContent = state.blocked ? "เลิกบล็อก" : "เพิ่มเพื่อน";
      show("follow", !state.friend);
      show("unfollow", state.friend);
      usable = !state.blocked;
      if (state.blocked) setBanner("คุณบล็อกบอทอยู่ เลิกบล็อกเพื่อคุยต่อ", "follow");
      else if (!state.friend) setBanner("ยังไม่ได้เพิ่ม FieldLine เป็นเพื่อน", "follow");
      else setBanner("");
    }
    for (const control of composer.querySelectorAll("textarea, button, input")) control.disabled = !usable;
    if (pc && document.activeElement !== pc) pc.checked = state.pc;
    if (state.richmenu_id !== richmenuId) {
      richmenuId = state.richmenu_id;
      richmenu.innerHTML = state.richmenu;
    }
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const query = new URLSearchParams({ persona, chat, after: String(after) });
      const response = await fetch(root.dataset.state + "?" + query.toString(), { cache: "no-store" });
      if (!response.ok) return;
      const state = await response.json();
      const nearBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 80;
      for (const entry of state.entries) messages.appendChild(entryNode(entry));
      const first = after === 0;
      after = state.last;
      if (state.quick !== shownQuick) {
        shownQuick = state.quick;
        quick.innerHTML = state.quick;
      }
      applyState(state);
      if (nearBottom || first) messages.scrollTop = messages.scrollHeight;
    } catch (error) {
      // the server restarted or is busy: try again at the next tick
    } finally {
      polling = false;
    }
  }

  async function act(payload) {
    const response = await fetch(root.dataset.act, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Emulator": "1" },
      body: JSON.stringify(Object.assign({ persona, chat, pc: pc ? pc.checked : false }, payload)),
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      toast(problem.error || "ส่งไม่สำเร็จ");
    }
    quick.innerHTML = "";
    shownQuick = "";
    setTimeout(poll, 150);
  }

  function today(mode) {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    const time = `${pad(now.getHours())}:${pad(now.getMinutes())}`;
    return mode === "date" ? date : mode === "time" ? time : `${date}T${time}`;
  }

  function perform(action) {
    switch (action.type) {
      case "message":
        return act({ kind: "text", text: action.text || action.label || "" });
      case "postback":
        return act({ kind: "postback", data: action.data || "", displayText: action.displayText || action.text || null });
      case "datetimepicker": {
        const mode = action.mode || "datetime";
        const value = window.prompt("เลือกวันเวลา (" + mode + ")", action.initial || today(mode));
        if (value === null) return;
        return act({ kind: "postback", data: action.data || "", params: { [mode]: value } });
      }
      case "location":
        locationForm.hidden = false;
        return;
      case "camera":
      case "cameraRoll":
        return photo.click();
      case "uri":
        if (/^https?:/i.test(action.uri || "")) window.open(action.uri, "_blank", "noopener");
        else toast("ลิงก์: " + (action.uri || ""));
        return;
      case "clipboard":
        if (navigator.clipboard) navigator.clipboard.writeText(action.clipboardText || "");
        toast("คัดลอกแล้ว");
        return;
      case "richmenuswitch":
        return act({ kind: "postback", data: action.data || "", params: { newRichMenuAliasId: action.richMenuAliasId || "", status: "SUCCESS" } });
      default:
        toast("ตัวจำลองยังไม่รองรับปุ่มแบบ " + action.type);
    }
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action], [data-kind], #richmenu-toggle");
    if (!target || !root.contains(target)) return;
    if (target.id === "richmenu-toggle") {
      const panel = richmenu.querySelector(".richmenu-frame");
      if (panel) panel.classList.toggle("collapsed");
      return;
    }
    if (target.dataset.kind) return act({ kind: target.dataset.kind });
    try {
      perform(JSON.parse(target.dataset.action));
    } catch (error) {
      toast("ปุ่มนี้มีข้อมูลไม่ถูกต้อง");
    }
  });

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = text.value;
    if (!value.trim()) return;
    text.value = "";
    act({ kind: "text", text: value });
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  photo.addEventListener("change", async () => {
    if (!photo.files.length) return;
    const form = new FormData();
    form.append("persona", persona);
    form.append("chat", chat);
    form.append("pc", pc && pc.checked ? "1" : "0");
    for (const file of photo.files) form.append("photo", file);
    photo.value = "";
    const response = await fetch(root.dataset.photo, { method: "POST", headers: { "X-Emulator": "1" }, body: form });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      toast(problem.error || "ส่งรูปไม่สำเร็จ");
    }
    setTimeout(poll, 150);
  });

  document.getElementById("location-open").addEventListener("click", () => { locationForm.hidden = !locationForm.hidden; });
  document.getElementById("location-cancel").addEventListener("click", () => { locationForm.hidden = true; });
  document.getElementById("sticker").addEventListener("click", () => act({ kind: "sticker" }));
  locationForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(locationForm);
    locationForm.hidden = true;
    act({
      kind: "location",
      latitude: Number(data.get("latitude")),
      longitude: Number(data.get("longitude")),
      title: data.get("title") || null,
      address: data.get("address") || null,
    });
  });

  poll();
  setInterval(poll, 700);
})();
