/* The map page (/admin/map): draws the layers of /admin/map/data with Leaflet (served from XStatic-Leaflet).
   No tile layer unless the server names one (MAP_TILE_URL): the points lie on the page's plain ground.
   Every text comes from the server's JSON and is put in the page as text, never as HTML. */
(function () {
  "use strict";

  var BANGKOK = [13.7563, 100.5018];
  var GRID = 0.01; // the server's cell size for approximate report places, in degrees

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function popup(title, code, lines, link, linkText) {
    var box = el("div", "map-popup");
    box.appendChild(el("strong", null, title));
    if (code) box.appendChild(el("span", "code", code));
    if (lines && lines.length) {
      var list = el("ul");
      lines.forEach(function (line) { list.appendChild(el("li", null, line)); });
      box.appendChild(list);
    }
    if (link) {
      var a = el("a", null, linkText);
      a.href = link;
      box.appendChild(a);
    }
    return box;
  }

  // Name a marker for screen readers and let the keyboard open it (Leaflet draws its element when shown).
  function label(layer, text, code) {
    layer.on("add", function () {
      var node = layer.getElement();
      if (!node) return;
      node.setAttribute("aria-label", text);
      node.setAttribute("role", "button");
      node.setAttribute("tabindex", "0");
      if (code) node.setAttribute("data-code", code);
      node.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          layer.openPopup();
        } else if (event.key === "Escape") {
          layer.closePopup();
        }
      });
    });
  }

  function start() {
    var box = document.getElementById("map");
    var status = document.getElementById("map-status");
    if (!box || typeof L === "undefined") {
      if (status) status.textContent = "โหลดแผนที่ไม่ได้ ดูรายการจุดด้านล่างแทน";
      return;
    }
    var colours = JSON.parse(box.dataset.statusColours || "{}");
    var defectColour = box.dataset.defectColour;
    var reportColour = box.dataset.reportColour;
    var map = L.map(box, { attributionControl: Boolean(box.dataset.tileUrl), zoomSnap: 0.5 });
    if (box.dataset.tileUrl) {
      L.tileLayer(box.dataset.tileUrl, { attribution: box.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    var groups = { defects: L.featureGroup(), points: L.featureGroup(), reports: L.featureGroup() };
    var toggles = document.querySelectorAll("input[data-layer]");

    function show(name, on) {
      var group = groups[name];
      if (!group) return;
      if (on && !map.hasLayer(group)) group.addTo(map);
      if (!on && map.hasLayer(group)) map.removeLayer(group);
      if (map.hasLayer(groups.defects)) groups.defects.bringToBack();
      if (map.hasLayer(groups.points)) groups.points.bringToFront();
    }

    toggles.forEach(function (toggle) {
      toggle.addEventListener("change", function () {
        show(toggle.dataset.layer, toggle.checked);
        if (toggle.checked && toggle.dataset.layer !== "points" && !loadedLayers[toggle.dataset.layer]) {
          toggle.form.submit(); // a layer the server was not asked for: fetch the page with it
        }
      });
    });

    var loadedLayers = {};

    function draw(data) {
      (data.layers || []).forEach(function (name) { loadedLayers[name] = true; });
      data.points.forEach(function (p) {
        var marker = L.circleMarker([p.lat, p.lng], {
          radius: 8, color: "#ffffff", weight: 2, fillColor: colours[p.status] || "#7b8794", fillOpacity: 1,
          className: "map-point map-point-" + p.status
        });
        marker.bindPopup(popup(p.name, p.code + " · เขต" + p.district + " · " + p.status_label, p.lines, p.url, "ดูไทม์ไลน์ของจุด ›"));
        marker.bindTooltip(p.code + " " + p.name);
        label(marker, p.code + " " + p.name + ": " + p.status_label, p.code);
        marker.addTo(groups.points);
      });
      data.defects.forEach(function (d) {
        var ring = L.circleMarker([d.lat, d.lng], {
          radius: 14, color: defectColour, weight: 3, dashArray: "4 3", fill: true, fillOpacity: 0.08,
          fillColor: defectColour, className: "map-defect"
        });
        ring.bindPopup(popup(d.name, d.code + " · สภาพเสี่ยงที่ยังไม่แก้ไข " + d.count + " เรื่อง", d.items, d.url, "ดูไทม์ไลน์ของจุด ›"));
        label(ring, d.code + ": สภาพเสี่ยงที่ยังไม่แก้ไข " + d.count + " เรื่อง");
        ring.addTo(groups.defects);
      });
      var reports = data.reports || { items: [], cells: [] };
      reports.items.forEach(function (r) {
        var mark = L.circleMarker([r.lat, r.lng], {
          radius: 6, color: "#ffffff", weight: 1.5, fillColor: reportColour, fillOpacity: 0.95, className: "map-report"
        });
        var lines = [r.category, r.when];
        if (r.place) lines.push(r.place);
        mark.bindPopup(popup("ข่าว " + r.ref, r.district ? "เขต" + r.district : "", lines, r.url, "เปิดข่าว ›"));
        label(mark, "ข่าว " + r.ref);
        mark.addTo(groups.reports);
      });
      reports.cells.forEach(function (c) {
        var half = GRID / 2;
        var cell = L.rectangle([[c.lat - half, c.lng - half], [c.lat + half, c.lng + half]], {
          color: reportColour, weight: 1, fillColor: reportColour, fillOpacity: 0.22, className: "map-report-cell"
        });
        cell.bindPopup(popup("ข่าวจากเครือข่าย " + c.count + " เรื่อง", "ในพื้นที่ราว 1 กม. นี้ (ตำแหน่งโดยประมาณ)", [], null));
        label(cell, "ข่าว " + c.count + " เรื่องในพื้นที่นี้");
        cell.addTo(groups.reports);
      });
      // The view first, without animation (Leaflet draws layers only on a map that has one), then the layers
      var shown = function (name) {
        var toggle = document.querySelector("input[data-layer='" + name + "']");
        return toggle ? toggle.checked : true;
      };
      var bounds = L.latLngBounds([]);
      Object.keys(groups).forEach(function (name) {
        if (shown(name) && groups[name].getLayers().length) bounds.extend(groups[name].getBounds());
      });
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.15), { maxZoom: 16, animate: false });
      else map.setView(BANGKOK, 12, { animate: false });
      Object.keys(groups).forEach(function (name) { show(name, shown(name)); });

      var parts = ["จุดเสี่ยง " + data.points.length + " จุด"];
      if (data.defects.length) parts.push("จุดที่มีสภาพเสี่ยงค้าง " + data.defects.length + " จุด");
      var reportCount = reports.items.length + reports.cells.reduce(function (sum, c) { return sum + c.count; }, 0);
      if (reportCount) parts.push("ข่าว " + reportCount + " เรื่อง");
      status.textContent = "วันที่ " + data.day + ": " + parts.join(" · ") + " — แตะจุดเพื่อดูรายละเอียด";
      box.dataset.ready = "1";
    }

    fetch(box.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) return failed(answer.body.error);
        draw(answer.body);
      })
      .catch(function () { failed(null); });

    function failed(message) {
      status.textContent = message || "โหลดข้อมูลแผนที่ไม่สำเร็จ ลองใหม่อีกครั้ง หรือดูรายการจุดด้านล่าง";
      status.classList.add("error");
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
