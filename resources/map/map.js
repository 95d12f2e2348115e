// IOC Console live map. Loaded once into the folium base page; every live change arrives as a
// typed JSON message over the QWebChannel bridge and is dispatched by its "type".
// Backend strings in messages and the config are HTML-escaped by Python (app/map/payloads.py)
// and go into markup as they are; ids are raw and are only ever used as keys, never put into
// markup. The console's own labels (cfg.labels, in its language) are plain text: label() escapes
// them for markup, and textContent or a title takes them straight from LABELS. A "labels"
// message replaces them when the console's language changes: what is on screen is re-worded in
// place (relabel), and popups and tooltips are functions that read LABELS each time they open.
(function () {
  "use strict";
  const cfg = window.IOC_CONFIG;
  const F = window.IOC_FOLIUM;
  const map = F.map;
  let LABELS = cfg.labels || {};
  const ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
  function esc(text) { return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]); }
  // A label as markup; `fallback` (markup already) for a word the console has no label for.
  function label(key, fallback) {
    return Object.hasOwn(LABELS, key) ? esc(LABELS[key]) : (fallback === undefined ? esc(key) : fallback);
  }
  function plain(key) { return Object.hasOwn(LABELS, key) ? LABELS[key] : key; }
  // One pass, so a value that happens to contain "{n}" is never filled in again.
  function fill(markup, values) {
    return markup.replace(/\{(\w+)\}/g, (m, k) => (Object.hasOwn(values, k) ? values[k] : m));
  }
  let bridge = null;
  let lastTouch = 0;
  let autoFly = cfg.autoFly !== false;
  const TOUCH_GRACE_MS = 8000;
  // In a flood of severe reports the map must not fly from one to the next all shift long.
  const FLY_COOLDOWN_MS = 15000;
  let lastFly = -Infinity;

  function post(msg) { if (bridge) bridge.post(JSON.stringify(msg)); }

  // ---- basemap: vector fallback under the tiles, so the map is never blank ------------------
  map.createPane("vectorBase").style.zIndex = 150;     // below tilePane (200)
  // Incidents draw above camera markers and clusters (markerPane is 600): they are what matters.
  map.createPane("incidents").style.zIndex = 620;
  map.createPane("selection").style.zIndex = 640;      // above markers, below popups
  // SVG, not canvas: a canvas over the whole map would swallow clicks meant for the cameras below.
  const incidentRenderer = L.svg({pane: "incidents"});
  const vectorRenderer = L.canvas({pane: "vectorBase"});
  const vectorBase = L.geoJSON(F.districts.toGeoJSON(), {
    pane: "vectorBase", renderer: vectorRenderer, interactive: false,
    style: {color: "#5c6f7f", weight: 1.2, fillColor: "#1e2a33", fillOpacity: 1},
  }).addTo(map);
  const POI_COLOURS = {hospital: "#b2676a", school: "#9c8f5c", parking: "#5f7480"};
  for (const p of cfg.poi) {
    L.circleMarker([p.lat, p.lon], {pane: "vectorBase", renderer: vectorRenderer, radius: 2.5,
      weight: 0, fillOpacity: 0.7, fillColor: POI_COLOURS[p.kind] || "#90a4ae",
      interactive: false}).addTo(vectorBase);
  }
  const tiles = L.tileLayer(cfg.tileUrl, {maxZoom: 19, maxNativeZoom: cfg.maxNativeZoom,
    attribution: cfg.attribution}).addTo(map);
  let tileLoads = 0, tileErrors = 0, basemapKind = "";
  tiles.on("loading", () => { tileLoads = 0; tileErrors = 0; });
  tiles.on("tileload", () => { tileLoads += 1; });
  tiles.on("tileerror", () => { tileErrors += 1; });
  tiles.on("load", () => setBasemap(tileLoads > 0 ? "tiles" : "vector"));
  const basemapLabel = L.control({position: "bottomleft"});
  basemapLabel.onAdd = () => L.DomUtil.create("div", "basemap-label");
  basemapLabel.addTo(map);
  function setBasemap(kind) {
    if (kind === basemapKind) return;
    basemapKind = kind;
    showBasemap();
  }
  function showBasemap() {
    const text = plain(basemapKind === "tiles" ? "basemap.tiles" : "basemap.vector");
    const el = basemapLabel.getContainer();
    el.textContent = text;
    el.className = "basemap-label basemap-" + basemapKind;
    post({type: "basemap", kind: basemapKind, label: text});
  }
  setBasemap("vector");

  // ---- districts: names and a choropleth of open incidents ------------------------------------
  let districtCounts = {};
  // One violet hue, stronger with more open incidents: it must not compete with the
  // red/orange/yellow of incident severities drawn on top of it.
  const CHORO = [[21, 0.40], [11, 0.32], [6, 0.24], [3, 0.17], [1, 0.10]];
  function districtStyle(feature) {
    const n = districtCounts[feature.properties.name] || 0;
    const step = CHORO.find(([min]) => n >= min);
    // Zoomed in, the operator is inside one district: a strong tint would only hide the markers.
    const scale = Math.max(0.35, Math.min(1, 1 - (map.getZoom() - 12) * 0.2));
    return {color: "#90a4ae", weight: 1, fillColor: "#9575cd", fillOpacity: step ? step[1] * scale : 0};
  }
  F.districts.setStyle(districtStyle);
  map.on("zoomend", () => F.districts.setStyle(districtStyle));
  F.districts.eachLayer((layer) => layer.bindTooltip(() => {
    const name = layer.feature.properties.name;
    return fill(label("district.open"), {name: name, n: districtCounts[name] || 0});
  }, {sticky: true}));
  const districtLabels = L.layerGroup(cfg.districtLabels.map((d) => L.marker([d.lat, d.lon], {
    interactive: false, keyboard: false,
    icon: L.divIcon({className: "district-label", html: "<span>" + d.name + "</span>", iconSize: [0, 0]})})))
    .addTo(map);

  // ---- cameras --------------------------------------------------------------------------------
  const cameras = new Map();     // id -> {data, marker}
  let nearCameraIds = new Set();
  const cameraCluster = L.markerClusterGroup({maxClusterRadius: 40, disableClusteringAtZoom: 15,
    spiderfyOnMaxZoom: false, showCoverageOnHover: false, chunkedLoading: false,
    // Small and quiet: camera clusters are context, incidents are the news.
    iconCreateFunction: (cluster) => L.divIcon({className: "cam-cluster", iconSize: [26, 26],
      html: "<span>" + Number(cluster.getChildCount()) + "</span>"})});
  cameraCluster.addTo(map);
  function cameraIcon(c) {
    const dir = Number(c.dir);
    const wedge = c.dir === null || !isFinite(dir) ? "" :
      '<svg class="wedge" viewBox="-20 -20 40 40" style="transform:rotate(' + dir + 'deg)">' +
      '<path d="M0 0 L-10 -17 A20 20 0 0 1 10 -17 Z"/></svg>';
    return L.divIcon({className: "cam cam-" + c.status + (nearCameraIds.has(c.id) ? " cam-near" : ""),
      html: wedge + '<span class="dot"></span>', iconSize: [40, 40], iconAnchor: [20, 20],
      popupAnchor: [0, -8]});
  }
  function cameraPopup(c) {
    return '<div class="popup cam-popup"><div class="title">' + c.name + '</div>' +
      '<div class="meta">' + c.code + ' · <span class="st st-' + c.status + '">' +
      label("camera." + c.status) + '</span>' + (c.ptz ? " · PTZ" : "") + '</div>' +
      '<div class="meta">' + c.district + '</div><div class="hint">' + label("camera.hint") + '</div></div>';
  }
  function upsertCamera(c, added) {
    const rec = cameras.get(c.id);
    if (rec) {
      const moved = rec.data.lat !== c.lat || rec.data.lon !== c.lon;
      rec.data = c;
      if (moved) rec.marker.setLatLng([c.lat, c.lon]);
      rec.marker.setIcon(cameraIcon(c));
      return;
    }
    const marker = L.marker([c.lat, c.lon], {icon: cameraIcon(c), keyboard: false});
    const entry = {data: c, marker: marker};
    marker.bindPopup(() => cameraPopup(entry.data));
    marker.on("click", () => post({type: "camera_clicked", id: entry.data.id}));
    cameras.set(c.id, entry);
    added.push(marker);
  }
  function removeCamera(id) {
    const rec = cameras.get(id);
    if (!rec) return;
    cameraCluster.removeLayer(rec.marker);
    cameras.delete(id);
  }

  // ---- incidents ------------------------------------------------------------------------------
  const incidents = new Map();   // id -> {data, marker}
  const incidentLayer = L.featureGroup().addTo(map);
  const pulseLayer = L.layerGroup().addTo(map);
  const SEV_COLOUR = cfg.palette.severity;   // app/palette.py: the colours the Qt views use
  const SEV_RADIUS = {Extreme: 10, Severe: 8, Moderate: 6.5, Minor: 5.5, Unknown: 5};
  const MAX_PULSES = 20, PULSE_MS = 12000, FADE_MS = 4000;
  const GONE = new Set(["closed", "cancelled", "merged"]);   // resolved stays, dimmed, until closed
  let initialLoadDone = false;
  const fading = new Map();      // id -> fade start time
  let fadeTimer = null;

  function incidentStyle(i) {
    const drill = i.msgStatus !== "Actual";
    const style = {pane: "incidents", renderer: incidentRenderer, radius: SEV_RADIUS[i.severity], fillColor: SEV_COLOUR[i.severity],
      fillOpacity: 0.9, opacity: 1, weight: 1.5, color: "#102027", dashArray: drill ? "3 3" : null};
    if (i.state === "new") { style.color = "#ffffff"; style.weight = 2.5; }
    else if (i.state === "dispatched" || i.state === "in_progress") { style.color = "#00e5ff"; style.weight = 2; }
    else if (!i.open) { style.fillOpacity = 0.45; style.opacity = 0.6; }
    return style;
  }
  function incidentPopup(i) {
    const drill = i.msgStatus !== "Actual"
      ? '<span class="drill">' + label("drill." + i.msgStatus, i.msgStatus.toUpperCase()) + "</span> " : "";
    return '<div class="popup inc-popup"><div class="title">' + drill + i.title + '</div>' +
      '<div class="meta"><span class="sev sev-' + i.severity + '">' + label("sev." + i.severity, i.severity) +
      "</span> · " + label("state." + i.state, i.state) + " · " + label("event." + i.event, i.event) + " · " +
      fill(label("incident.source"), {source: label("src." + i.source, i.source)}) + "</div>" +
      '<div class="meta">' + i.location + (i.location && i.district ? ", " : "") + i.district + "</div></div>";
  }
  function pulse(i) {
    if (pulseLayer.getLayers().length >= MAX_PULSES) return;  // a flood must not melt the page
    const p = L.marker([i.lat, i.lon], {interactive: false, keyboard: false,
      // The ring is a child: Leaflet positions the icon itself with a transform, which a CSS
      // animation on the same element would override.
      icon: L.divIcon({className: "pulse", html: '<div class="pulse-ring pulse-' + i.severity + '"></div>',
                       iconSize: [44, 44], iconAnchor: [22, 22]})});
    pulseLayer.addLayer(p);
    setTimeout(() => pulseLayer.removeLayer(p), PULSE_MS);
  }
  function startFade(id) {
    if (fading.has(id)) return;
    fading.set(id, performance.now());
    if (fadeTimer === null) fadeTimer = setInterval(stepFades, 200);
  }
  function stepFades() {
    const now = performance.now();
    for (const [id, start] of fading) {
      const rec = incidents.get(id);
      const left = 1 - (now - start) / FADE_MS;
      if (!rec || left <= 0) {
        fading.delete(id);
        if (rec && GONE.has(rec.data.state)) removeIncident(id);
      } else {
        rec.marker.setStyle({opacity: 0.6 * left, fillOpacity: 0.45 * left});
      }
    }
    if (fading.size === 0) { clearInterval(fadeTimer); fadeTimer = null; }
  }
  function upsertIncident(i) {
    let rec = incidents.get(i.id);
    if (!rec) {
      if (GONE.has(i.state)) return;            // closed before we ever saw it: nothing to show
      const marker = L.circleMarker([i.lat, i.lon], incidentStyle(i));
      rec = {data: i, marker: marker};
      marker.bindPopup(() => incidentPopup(rec.data), {autoPan: false});
      marker.on("click", () => post({type: "incident_clicked", id: rec.data.id}));
      incidents.set(i.id, rec);
      incidentLayer.addLayer(marker);
      if (initialLoadDone && i.open) pulse(i);
    } else {
      const was = rec.data;
      rec.data = i;
      if (was.lat !== i.lat || was.lon !== i.lon) rec.marker.setLatLng([i.lat, i.lon]);
      rec.marker.setStyle(incidentStyle(i));
      if (GONE.has(i.state)) startFade(i.id);
      if (i.open) fading.delete(i.id);
    }
    if (i.id === selectedId) placeSelection();
  }
  function removeIncident(id) {
    const rec = incidents.get(id);
    if (!rec) return;
    incidentLayer.removeLayer(rec.marker);
    incidents.delete(id);
    if (id === selectedId) clearSelection();
  }

  // ---- sensors --------------------------------------------------------------------------------
  const sensors = new Map();
  const sensorLayer = L.layerGroup().addTo(map);
  // A station whose current reading is no measurement (missing, invalid) shows "–" and says
  // "no data": the payload carries no value for it. A suspect value is shown, outlined.
  function sensorIcon(s) {
    const text = s.aqi !== null ? s.aqi : (s.value !== null ? s.value : "–");
    const outline = s.quality === "suspect" ? ";outline:2px dashed #ffb300" : "";
    return L.divIcon({className: "aqi", iconSize: [34, 22], iconAnchor: [17, 11],
      html: '<div class="aqi-box" style="background:' + s.colour + outline + '">' + text + "</div>"});
  }
  function sensorTooltip(s) {
    const why = s.quality === "invalid" ? " (" + label("sensor.invalid") + ")" : "";
    const suspect = s.quality === "suspect" && s.value !== null ? " · " + label("sensor.suspect") : "";
    return '<div class="popup"><div class="title">' + s.name + '</div><div class="meta">' +
      (s.kind === "pm25" ? "PM2.5" : s.kind) + " " +
      (s.value === null ? label("sensor.no_data") + why : s.value + " " + s.unit) +
      (s.band && s.value !== null ? " · " + label("band." + s.band, s.band) + (s.aqi !== null ? " (AQI " + s.aqi + ")" : "") : "") +
      suspect + "</div></div>";
  }
  function upsertSensor(s) {
    let rec = sensors.get(s.id);
    if (!rec) {
      const marker = L.marker([s.lat, s.lon], {icon: sensorIcon(s), keyboard: false});
      rec = {data: s, marker: marker};
      marker.bindTooltip(() => sensorTooltip(rec.data));
      sensors.set(s.id, rec);
      sensorLayer.addLayer(marker);
    } else {
      rec.data = s;
      rec.marker.setLatLng([s.lat, s.lon]);
      rec.marker.setIcon(sensorIcon(s));
    }
  }

  // ---- selection: the incident, the cameras that can see it -----------------------------------
  let selectedId = null;
  const selectionRing = L.circleMarker([0, 0], {pane: "selection", radius: 18, color: "#00e5ff",
    weight: 3, fill: false, interactive: false, className: "selection-ring"});
  const sightLines = L.layerGroup().addTo(map);
  const selectionPolygon = L.polygon([], {pane: "selection", color: "#00e5ff", weight: 1,
    fillOpacity: 0.06, dashArray: "2 4", interactive: false});
  const selectionArea = L.circle([0, 0], {pane: "selection", radius: 1, color: "#00e5ff", weight: 1,
    fillOpacity: 0.06, dashArray: "2 4", interactive: false});
  const nearPanel = L.control({position: "bottomright"});
  nearPanel.onAdd = () => { const d = L.DomUtil.create("div", "near-panel"); L.DomEvent.disableClickPropagation(d); return d; };
  nearPanel.addTo(map);
  let nearList = [];
  function placeSelection() {
    const rec = incidents.get(selectedId);
    if (!rec) return;
    selectionRing.setLatLng(rec.marker.getLatLng());
    if (!map.hasLayer(selectionRing)) selectionRing.addTo(map);
    if (rec.data.radius) selectionArea.setLatLng(rec.marker.getLatLng()).setRadius(rec.data.radius).addTo(map);
    else selectionArea.remove();
    if (rec.data.polygon) selectionPolygon.setLatLngs(rec.data.polygon).addTo(map);
    else selectionPolygon.remove();
    sightLines.clearLayers();
    for (const n of nearList) {
      const cam = cameras.get(n.id);
      if (cam) sightLines.addLayer(L.polyline([cam.marker.getLatLng(), rec.marker.getLatLng()],
        {pane: "selection", color: n.facing === false ? "#78909c" : "#00e5ff", weight: 1.5,
         dashArray: "4 4", interactive: false}));
    }
  }
  function setNearCameras(list) {
    const before = nearCameraIds;
    nearList = list;
    nearCameraIds = new Set(list.map((n) => n.id));
    for (const id of new Set([...before, ...nearCameraIds])) {
      const rec = cameras.get(id);
      if (rec) rec.marker.setIcon(cameraIcon(rec.data));
    }
    const panel = nearPanel.getContainer();
    panel.innerHTML = "";
    if (selectedId === null) { panel.style.display = "none"; return; }
    panel.style.display = "block";
    const head = L.DomUtil.create("div", "near-head", panel);
    head.textContent = plain(list.length ? "near.head" : "near.none");
    for (const n of list) {
      const row = L.DomUtil.create("div", "near-row", panel);
      const facing = label(n.facing === true ? "near.sees" : n.facing === false ? "near.away" : "near.unknown");
      row.innerHTML = '<span class="near-code">' + n.code + '</span> ' + n.name +
        ' <span class="near-dist">' + Number(n.distance) + " m · " + facing + "</span>";
      row.title = plain("near.show");
      L.DomEvent.on(row, "click", () => post({type: "camera_clicked", id: n.id}));
    }
  }
  function clearSelection() {
    selectedId = null;
    selectionRing.remove();
    selectionArea.remove();
    selectionPolygon.remove();
    sightLines.clearLayers();
    setNearCameras([]);
  }

  // ---- region selection for offline download --------------------------------------------------
  const regionRect = L.rectangle([[0, 0], [0, 0]], {color: "#ffab00", weight: 2, fillOpacity: 0.08,
    dashArray: "6 4", interactive: false});
  let regionStart = null;
  function onRegionDown(e) { regionStart = e.latlng; regionRect.setBounds(L.latLngBounds(e.latlng, e.latlng)).addTo(map); }
  function onRegionMove(e) { if (regionStart) regionRect.setBounds(L.latLngBounds(regionStart, e.latlng)); }
  function onRegionUp(e) {
    if (!regionStart) return;
    const b = L.latLngBounds(regionStart, e.latlng);
    regionStart = null;
    endRegionMode();
    if (b.getWest() < b.getEast() && b.getSouth() < b.getNorth())
      post({type: "region_selected", west: b.getWest(), south: b.getSouth(), east: b.getEast(), north: b.getNorth()});
  }
  function endRegionMode() {
    map.off("mousedown", onRegionDown).off("mousemove", onRegionMove).off("mouseup", onRegionUp);
    map.dragging.enable();
    map.getContainer().classList.remove("region-mode");
  }

  const regionButton = L.control({position: "topleft"});
  regionButton.onAdd = () => {
    const a = L.DomUtil.create("a", "region-button leaflet-bar");
    a.href = "#"; a.textContent = "⤓";
    L.DomEvent.disableClickPropagation(a);
    L.DomEvent.on(a, "click", (e) => { L.DomEvent.preventDefault(e); post({type: "region_panel"}); });
    return a;
  };
  regionButton.addTo(map);

  // ---- messages from Python, dispatched by name -----------------------------------------------
  const handlers = {
    batch(msg) {
      const added = [];
      const c = msg.cameras || {};
      for (const id of c.remove || []) removeCamera(id);
      for (const cam of c.upsert || []) upsertCamera(cam, added);
      if (added.length) cameraCluster.addLayers(added);
      const inc = msg.incidents || {};
      for (const id of inc.remove || []) removeIncident(id);
      let flyTo = null;
      for (const i of inc.upsert || []) { upsertIncident(i); if (i.fly && i.open) flyTo = i; }
      const sen = msg.sensors || {};
      for (const s of sen.upsert || []) upsertSensor(s);
      if (msg.districts) { districtCounts = msg.districts; F.districts.setStyle(districtStyle); }
      const now = Date.now();
      if (flyTo && autoFly && now - lastTouch > TOUCH_GRACE_MS && now - lastFly > FLY_COOLDOWN_MS) {
        lastFly = now;
        map.flyTo([flyTo.lat, flyTo.lon], Math.max(map.getZoom(), 15), {duration: 1.2});
      }
      if ((inc.upsert || []).length) initialLoadDone = true;
      // Report after the next paint, so "rendered" means on screen.
      requestAnimationFrame(() => setTimeout(() => post({type: "rendered", cameras: cameras.size,
        incidents: incidents.size, sensors: sensors.size, seq: msg.seq || 0}), 0));
    },
    select(msg) {
      // Choosing an incident is working the map: no automatic flight pulls the view away.
      lastTouch = Date.now();
      selectedId = msg.id;
      const rec = incidents.get(msg.id);
      if (!rec) { clearSelection(); return; }
      setNearCameras(msg.cameras || []);
      placeSelection();
      // Close enough to tell the nearby cameras apart (they are within a few hundred metres).
      if (msg.pan) map.setView(rec.marker.getLatLng(), Math.max(map.getZoom(), 15), {animate: false});
      rec.marker.openPopup();
    },
    auto_fly(msg) { autoFly = !!msg.enabled; },
    region_mode() {
      map.dragging.disable();
      map.getContainer().classList.add("region-mode");
      map.on("mousedown", onRegionDown).on("mousemove", onRegionMove).on("mouseup", onRegionUp);
    },
    region_show(msg) { regionRect.setBounds([[msg.south, msg.west], [msg.north, msg.east]]).addTo(map); },
    region_clear() { regionRect.remove(); endRegionMode(); },
    reload_tiles() { tiles.redraw(); },
    labels(msg) { LABELS = msg.labels || {}; relabel(); showBasemap(); },
  };
  function dispatch(text) {
    let msg;
    try { msg = JSON.parse(text); } catch (err) { console.error("bad message from Python: " + err); return; }
    const handler = handlers[msg.type];
    if (!handler) { console.error("unknown message type: " + String(msg.type)); return; }
    handler(msg);
  }

  // ---- layer control, touch tracking, channel -------------------------------------------------
  // The control puts names in as markup. folium named the districts layer in English: it is
  // named again here, first, so it keeps its place at the top of the list.
  const OVERLAYS = [[F.districts, "layer.districts"], [tiles, "layer.tiles"], [cameraCluster, "layer.cameras"],
    [incidentLayer, "layer.incidents"], [sensorLayer, "layer.air"], [districtLabels, "layer.district_names"]];
  // Popups and tooltips open now are re-filled; the others read LABELS when they next open.
  const openOverlays = new Set();
  map.on("popupopen tooltipopen", (e) => openOverlays.add(e.popup || e.tooltip));
  map.on("popupclose tooltipclose", (e) => openOverlays.delete(e.popup || e.tooltip));
  // Everything on screen that shows a label, in the current LABELS. Cheap (a few dozen DOM
  // writes), so a language switch re-words the page in place: no reload, no resend of the
  // thousands of markers, the view and the selection stay as the operator left them.
  function relabel() {
    // Removing and adding again, in order, keeps the list's order and each layer's tick.
    for (const [layer] of OVERLAYS) F.control.removeLayer(layer);
    for (const [layer, key] of OVERLAYS) F.control.addOverlay(layer, label(key));
    if (map.zoomControl) {
      for (const [cls, key] of [["leaflet-control-zoom-in", "zoom.in"], ["leaflet-control-zoom-out", "zoom.out"]]) {
        const button = map.zoomControl.getContainer().querySelector("." + cls);
        if (button) { button.title = plain(key); button.setAttribute("aria-label", plain(key)); }
      }
    }
    regionButton.getContainer().title = plain("region.button");
    if (selectedId !== null) setNearCameras(nearList);
    for (const overlay of openOverlays) overlay.update();
  }
  relabel();
  map.on("overlayremove", (e) => { if (e.layer === incidentLayer) { pulseLayer.clearLayers(); selectionRing.remove(); } });
  for (const ev of ["mousedown", "wheel", "keydown", "touchstart"])
    map.getContainer().addEventListener(ev, () => { lastTouch = Date.now(); }, {passive: true});
  // A dock can be resized (or start at 0 px) without the window's resize event ever firing:
  // watch the container itself, or the renderers keep their old, smaller size.
  new ResizeObserver(() => map.invalidateSize({debounceMoveend: true})).observe(map.getContainer());
  window.addEventListener("unhandledrejection", (e) => console.error("unhandled rejection: " + e.reason));

  window.IOC = {map, cameras, incidents, sensors, cameraCluster, incidentLayer, pulseLayer, vectorBase, tiles,
                districts: F.districts, selectionArea, selectionPolygon, districtLabels,
                dispatch, get selectedId() { return selectedId; }, get basemap() { return basemapKind; }};
  new QWebChannel(qt.webChannelTransport, (channel) => {
    bridge = channel.objects.bridge;
    bridge.sig_message.connect(dispatch);
    post({type: "ready"});
    post({type: "basemap", kind: basemapKind, label: basemapLabel.getContainer().textContent});
  });
})();
