"use strict";
const colors = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324", "#469990", "#800000"];
const $ = (id) => document.getElementById(id);
const state = { file: null, image: null, faces: [], identities: [] };

$("key").value = localStorage.getItem("visage.key") || "";
$("key").addEventListener("change", () => { localStorage.setItem("visage.key", $("key").value.trim()); loadPeople(); });

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = $("key").value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

async function call(method, path, body, contentType) {
  const init = { method, headers: headers(contentType ? { "Content-Type": contentType } : {}) };
  if (body !== undefined) init.body = body;
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
  if (!response.ok) {
    const message = json && json.error ? json.error.message + " (" + json.error.code + ", HTTP " + response.status + ")" : "HTTP " + response.status;
    const error = new Error(message);
    error.code = json && json.error ? json.error.code : null;
    throw error;
  }
  return json;
}

function showError(error) { $("error").textContent = error ? String(error.message || error) : ""; }
function setStatus(text) { $("status").textContent = text; }

async function health() {
  try {
    const h = await call("GET", "/v1/health");
    $("health").textContent = "service " + h.status;
  } catch (e) { $("health").textContent = "service unreachable"; }
}

function imageType(file) {
  return ["image/jpeg", "image/png", "image/webp"].includes(file.type) ? file.type : "application/octet-stream";
}

async function choose(file) {
  if (!file) return;
  showError(null);
  state.file = file; state.faces = []; state.identities = [];
  const url = URL.createObjectURL(file);
  const image = new Image();
  image.onload = async () => {
    state.image = image;
    draw();
    setStatus("analysing…");
    try {
      const analysis = await call("POST", "/v1/analyze", file, imageType(file));
      state.faces = analysis.faces;
      state.width = analysis.width; state.height = analysis.height;
      setStatus(analysis.faces.length + " face" + (analysis.faces.length === 1 ? "" : "s") + " in " + analysis.width + "×" + analysis.height);
      $("identify").disabled = analysis.faces.length === 0;
      for (const id of ["question", "ask", "describe"]) $(id).disabled = false;
    } catch (e) { showError(e); setStatus(""); }
    draw(); listFaces();
  };
  image.onerror = () => showError("The browser cannot display this file; the service may still read it.");
  image.src = url;
}

function draw() {
  const canvas = $("canvas"), image = state.image;
  if (!image) return;
  const scale = Math.min(1, 1400 / Math.max(image.naturalWidth, image.naturalHeight));
  canvas.width = Math.round(image.naturalWidth * scale);
  canvas.height = Math.round(image.naturalHeight * scale);
  canvas.style.display = "block";
  const g = canvas.getContext("2d");
  g.drawImage(image, 0, 0, canvas.width, canvas.height);
  // Boxes are in the pixels of the upright image, which is what the browser draws.
  const k = state.width ? canvas.width / state.width : scale;
  const line = Math.max(2, canvas.width / 400);
  g.font = "bold " + Math.max(12, Math.round(canvas.width / 70)) + "px system-ui, sans-serif";
  state.faces.forEach((face, i) => {
    const color = colors[i % colors.length];
    const [x, y, w, h] = face.box.map((v) => v * k);
    g.lineWidth = line; g.strokeStyle = color; g.strokeRect(x, y, w, h);
    g.fillStyle = color;
    for (const [lx, ly] of face.landmarks) { g.beginPath(); g.arc(lx * k, ly * k, line * 1.4, 0, 2 * Math.PI); g.fill(); }
    const identity = state.identities[i];
    const parts = ["#" + (i + 1)];
    if (identity) parts.push(identity.name || "unknown");
    if (face.age != null) parts.push(Math.round(face.age) + "y");
    if (face.gender) parts.push(face.gender.label);
    if (face.expression) parts.push(face.expression.label);
    if (face.mask && face.mask.label === "with_mask") parts.push("mask");
    const label = parts.join(" · ");
    const tw = g.measureText(label).width + 8, th = parseInt(g.font.match(/(\d+)px/)[1], 10) + 6;
    const ty = y - th >= 0 ? y - th : y + h;
    const tx = Math.max(0, Math.min(x - line / 2, canvas.width - tw));  // keep the label inside the picture
    g.fillRect(tx, ty, tw, th);
    g.fillStyle = "#fff"; g.fillText(label, tx + 4, ty + th - 6);
  });
}

function listFaces() {
  const body = $("faces").querySelector("tbody");
  body.innerHTML = "";
  $("faces-summary").textContent = state.faces.length + " face" + (state.faces.length === 1 ? "" : "s");
  $("faces-summary").dataset.count = String(state.faces.length);
  state.faces.forEach((face, i) => {
    const tr = document.createElement("tr");
    tr.className = "face";
    const identity = state.identities[i];
    const cells = [
      '<span class="swatch" style="background:' + colors[i % colors.length] + '"></span>',
      String(i + 1),
      face.age != null ? face.age.toFixed(0) : "–",
      face.gender ? face.gender.label + " " + face.gender.score.toFixed(2) : "–",
      face.expression ? face.expression.label : "–",
      face.mask ? (face.mask.label === "with_mask" ? "mask " : "none ") + face.mask.score.toFixed(2) : "–",
      face.score.toFixed(2),
      "",
      "",
    ];
    cells.forEach((html) => { const td = document.createElement("td"); td.innerHTML = html; tr.appendChild(td); });
    // Names come from users: text, never HTML.
    tr.children[7].textContent = identity ? (identity.name ? identity.name + " " + identity.similarity.toFixed(2) : "unknown") : "";
    const enrol = tr.children[8];
    const name = document.createElement("input");
    name.type = "text"; name.size = 10; name.placeholder = "name";
    const button = document.createElement("button");
    button.textContent = "Enrol";
    button.addEventListener("click", () => enrolFace(i, name.value.trim(), button));
    enrol.append(name, " ", button);
    body.appendChild(tr);
  });
}

// The service enrols the largest face of an image, so one face of a group photo is sent as a
// crop around its box (with a margin for the detector).
function faceCrop(face) {
  const image = state.image, k = image.naturalWidth / state.width;
  let [x, y, w, h] = face.box.map((v) => v * k);
  const m = 0.6 * Math.max(w, h);
  const x0 = Math.max(0, x - m), y0 = Math.max(0, y - m);
  const x1 = Math.min(image.naturalWidth, x + w + m), y1 = Math.min(image.naturalHeight, y + h + m);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(x1 - x0); canvas.height = Math.round(y1 - y0);
  canvas.getContext("2d").drawImage(image, x0, y0, x1 - x0, y1 - y0, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.92));
}

async function enrolFace(i, name, button) {
  showError(null);
  if (!name) { showError("Type a name first."); return; }
  button.disabled = true;
  try {
    const form = new FormData();
    form.append("name", name);
    form.append("image", await faceCrop(state.faces[i]), "face-" + (i + 1) + ".jpg");
    let person;
    try {
      person = await call("POST", "/v1/people", form);
    } catch (e) {
      // A gallery that requires consent (`visage gallery consent required`) refuses a person
      // without a record of it: ask for the record and send the enrolment again with it.
      if (e.code !== "consent_required") throw e;
      const consent = window.prompt("This gallery enrols people only with a record of their consent. Where is " + name + "'s consent kept (for example: form 2026-114)?");
      if (!consent || !consent.trim()) throw e;
      form.append("metadata", JSON.stringify({ consent: consent.trim() }));
      person = await call("POST", "/v1/people", form);
    }
    setStatus("enrolled " + person.name + " as #" + person.id);
    await loadPeople();
  } catch (e) { showError(e); }
  button.disabled = false;
}

async function identify() {
  if (!state.file) return;
  showError(null);
  setStatus("identifying…");
  try {
    const answer = await call("POST", "/v1/identify", state.file, imageType(state.file));
    // Identify returns the same faces as analyze (same detector), matched here by box.
    state.identities = state.faces.map((face) => {
      let best = null, bestDistance = Infinity;
      for (const f of answer.faces) {
        const d = Math.abs(f.box[0] - face.box[0]) + Math.abs(f.box[1] - face.box[1]);
        if (d < bestDistance) { bestDistance = d; best = f; }
      }
      return best ? best.identity : null;
    });
    const known = state.identities.filter((x) => x && x.name).length;
    setStatus(known + " of " + state.faces.length + " faces identified");
  } catch (e) { showError(e); setStatus(""); }
  draw(); listFaces();
}

// Answers come from what the service measured (POST /v1/ask); questions outside it are declined.
async function ask() {
  const question = $("question").value.trim();
  if (!state.file || !question) return;
  showError(null);
  $("answer").textContent = "…";
  try {
    const form = new FormData();
    form.append("image", state.file, state.file.name || "photo");
    form.append("question", question);
    const answer = await call("POST", "/v1/ask", form);
    $("answer").textContent = answer.answer;
    $("answer").dataset.value = JSON.stringify(answer.value);
  } catch (e) { showError(e); $("answer").textContent = ""; }
}

async function describe() {
  if (!state.file) return;
  showError(null);
  $("answer").textContent = "…";
  try {
    const d = await call("POST", "/v1/describe", state.file, imageType(state.file));
    $("answer").textContent = [d.summary].concat(d.faces.map((f) => f.description)).join("\n");
  } catch (e) { showError(e); $("answer").textContent = ""; }
}

function compareReady() { $("verify").disabled = !($("verify-a").files[0] && $("verify-b").files[0]); }

async function compare() {
  const a = $("verify-a").files[0], b = $("verify-b").files[0];
  if (!a || !b) return;
  showError(null);
  $("verdict").textContent = "comparing…";
  $("explanation").hidden = true;
  try {
    const form = new FormData();
    form.append("a", a, a.name || "a");
    form.append("b", b, b.name || "b");
    const v = await call("POST", "/v1/verify?explain=true", form);
    $("verdict").textContent = "similarity " + v.similarity.toFixed(3) + " (threshold " + v.threshold.toFixed(3) + "): "
      + (v.same ? "same person" : "different people")
      + (v.method === "attention_head" ? " (a face wears a mask: compared through the attention head)" : "");
    $("verdict").dataset.same = String(v.same);
    if (v.explanation) { $("explanation").src = v.explanation.image; $("explanation").hidden = false; }
  } catch (e) { showError(e); $("verdict").textContent = ""; }
}

async function loadPeople() {
  const body = $("people").querySelector("tbody");
  try {
    const list = await call("GET", "/v1/people");
    body.innerHTML = "";
    for (const person of list.people) {
      const tr = document.createElement("tr");
      tr.className = "person";
      for (const text of ["#" + person.id, person.name, String(person.templates)]) {
        const td = document.createElement("td"); td.textContent = text; tr.appendChild(td);
      }
      const td = document.createElement("td");
      const button = document.createElement("button");
      button.textContent = "Delete";
      button.addEventListener("click", async () => {
        if (!confirm("Delete " + person.name + " and every template of theirs?")) return;
        try { await call("DELETE", "/v1/people/" + person.id); await loadPeople(); } catch (e) { showError(e); }
      });
      td.appendChild(button); tr.appendChild(td); body.appendChild(tr);
    }
    $("people-status").textContent = list.people.length + " " + (list.people.length === 1 ? "person" : "people");
  } catch (e) {
    body.innerHTML = "";
    $("people-status").textContent = e.message;
  }
}

const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); choose(e.dataTransfer.files[0]); });
$("file").addEventListener("change", (e) => choose(e.target.files[0]));
$("identify").addEventListener("click", identify);
$("refresh").addEventListener("click", loadPeople);
$("ask").addEventListener("click", ask);
$("question").addEventListener("keydown", (e) => { if (e.key === "Enter") ask(); });
$("describe").addEventListener("click", describe);
$("verify-a").addEventListener("change", compareReady);
$("verify-b").addEventListener("change", compareReady);
$("verify").addEventListener("click", compare);
health();
loadPeople();
