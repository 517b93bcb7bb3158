// The {ruimte} view: a three.js scene the learner arranges (schikken) or builds (bouwen)
// with mouse, touch or keyboard, and a panel of typed values. What the learner does goes
// back to the kernel as the `state` trait (objects and, when building, the camera).

const STEP = 0.25; // metres per arrow key; also what a drag snaps to
const TURN = 15; // degrees per [ or ] key
const PROPS = ["position", "rotation", "scale"];
const AXES = ["x", "y", "z"];

const copy = (value) => JSON.parse(JSON.stringify(value));
const snap = (value, step = STEP / 5) => Math.round(value / step) * step;

function element(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

export function render({ model, el, THREE, shared }) {
  const L = model.get("labels");
  const config = model.get("scene");
  const building = config.mode === "bouwen";
  const given = Object.fromEntries(config.objects.map((o) => [o.id, o]));
  let state = copy(model.get("state"));
  let selected = null;

  // -- layout: canvas, help, object list, typed values, palette --------------------
  const stage = element("div", { class: "leerpad-xr-stage" });
  const help = element("p", { class: "leerpad-xr-help" }, L.help);
  const list = element("div", { class: "leerpad-xr-objects", role: "group", "aria-label": L.objects });
  const panel = element("div", { class: "leerpad-xr-panel" });
  const tools = element("div", { class: "leerpad-xr-tools" });
  el.append(stage, help, list, panel, tools);

  let renderer = null;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (error) {
    stage.append(element("p", { role: "alert" }, L.no_webgl));
  }
  const scene = new THREE.Scene();
  shared.addRoom(THREE, scene);
  let group = shared.buildScene(THREE, state);
  scene.add(group);
  const camera = new THREE.PerspectiveCamera(50, 16 / 9, 0.1, 200);
  const orbit = { target: new THREE.Vector3(), radius: 10, theta: 0, phi: 1 };

  function setView(view) {
    orbit.target.set(...view.target);
    const offset = new THREE.Vector3(...view.position).sub(orbit.target);
    const spherical = new THREE.Spherical().setFromVector3(offset);
    Object.assign(orbit, { radius: spherical.radius, theta: spherical.theta, phi: spherical.phi });
  }
  function updateCamera() {
    orbit.phi = Math.min(Math.max(orbit.phi, 0.05), Math.PI / 2 - 0.02);
    orbit.radius = Math.min(Math.max(orbit.radius, 1.5), 60);
    const offset = new THREE.Vector3().setFromSpherical(
      new THREE.Spherical(orbit.radius, orbit.phi, orbit.theta),
    );
    camera.position.copy(orbit.target).add(offset);
    camera.lookAt(orbit.target);
  }
  setView(building && state.camera ? state.camera : config.camera);

  if (renderer) {
    const canvas = renderer.domElement;
    canvas.setAttribute("tabindex", "0");
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-label", L.canvas);
    canvas.classList.add("leerpad-xr-canvas");
    stage.append(canvas);
  }

  let frame = 0;
  function draw() {
    if (!renderer || frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const width = Math.max(stage.clientWidth, 280);
      const height = Math.round(width * 9 / 16);
      if (renderer.domElement.width !== Math.round(width * devicePixelRatio)) {
        renderer.setPixelRatio(devicePixelRatio);
        renderer.setSize(width, height);
        camera.aspect = width / height;
        camera.updateProjectionMatrix();
      }
      updateCamera();
      renderer.render(scene, camera);
    });
  }

  // -- state in and out ------------------------------------------------------------
  const editable = (o) => (given[o.id] ? given[o.id].editable : PROPS);
  const added = () => state.objects.filter((o) => !given[o.id]);
  const byId = (id) => state.objects.find((o) => o.id === id);
  const meshOf = (id) => group.children.find((m) => m.userData.id === id);

  let timer = 0;
  function commit(now = false) {
    clearTimeout(timer);
    const send = () => {
      const out = copy(state);
      if (building) {
        out.camera = {
          position: camera.position.toArray().map((v) => snap(v, 0.01)),
          target: orbit.target.toArray().map((v) => snap(v, 0.01)),
        };
      } else {
        out.camera = copy(config.camera);
      }
      model.set("state", out);
      model.save_changes();
    };
    if (now) send();
    else timer = setTimeout(send, 250); // a burst of key presses is saved once
  }

  function rebuild() {
    scene.remove(group);
    group = shared.buildScene(THREE, state);
    scene.add(group);
    highlight();
    drawList();
    drawPanel();
    drawTools();
    draw();
  }

  model.on("change:state", () => {
    const incoming = model.get("state");
    if (JSON.stringify(incoming.objects) === JSON.stringify(state.objects)) return;
    state = copy(incoming);
    if (selected && !byId(selected)) selected = null;
    if (building && state.camera) setView(state.camera);
    rebuild();
  });

  function highlight() {
    for (const mesh of group.children) {
      const o = byId(mesh.userData.id);
      if (o) shared.paint(mesh, o.color, mesh.userData.id === selected ? "#444444" : "#000000");
    }
  }

  function select(id) {
    selected = id;
    highlight();
    for (const button of list.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.id === id));
    }
    drawPanel();
    draw();
  }

  // -- the object list: Tab reaches every object --------------------------------------
  function drawList() {
    list.replaceChildren(element("span", { class: "leerpad-xr-label" }, `${L.objects}:`));
    for (const o of state.objects) {
      const button = element("button", { type: "button", "data-id": o.id, "aria-pressed": String(o.id === selected) }, o.name);
      button.addEventListener("focus", () => select(o.id));
      button.addEventListener("click", () => select(o.id));
      button.addEventListener("keydown", (event) => keyOnObject(event, o.id));
      list.append(button);
    }
  }

  function move(id, prop, axis, delta) {
    const o = byId(id);
    if (!o || !editable(o).includes(prop)) return false;
    const value = o[prop][axis] + delta;
    o[prop][axis] = prop === "scale" ? Math.max(0.1, snap(value, 0.05)) : snap(value, 0.05);
    shared.place(meshOf(id), o);
    highlight();
    drawPanel();
    draw();
    commit();
    return true;
  }

  function keyOnObject(event, id) {
    const keys = {
      ArrowLeft: ["position", 0, -STEP],
      ArrowRight: ["position", 0, STEP],
      ArrowUp: ["position", 2, -STEP],
      ArrowDown: ["position", 2, STEP],
      PageUp: ["position", 1, STEP],
      PageDown: ["position", 1, -STEP],
      "[": ["rotation", 1, TURN],
      "]": ["rotation", 1, -TURN],
    };
    if (keys[event.key] && move(id, ...keys[event.key])) event.preventDefault();
    if (event.key === "Delete" && building && !given[id]) removeObject(id);
  }

  // -- typed values for the selected object -----------------------------------------
  function drawPanel() {
    const o = selected && byId(selected);
    panel.replaceChildren();
    if (!o) return;
    const box = element("fieldset", { class: "leerpad-xr-values" });
    box.append(element("legend", {}, `${L.selected}: ${o.name}`));
    for (const prop of editable(o)) {
      const row = element("div", { class: "leerpad-xr-row" });
      row.append(element("span", { class: "leerpad-xr-label" }, prop === "rotation" ? `${L[prop]} (${L.degrees})` : L[prop]));
      AXES.forEach((axis, i) => {
        const label = element("label", {}, `${axis} `);
        const input = element("input", {
          type: "number",
          step: prop === "rotation" ? "5" : "0.05",
          value: String(Math.round(o[prop][i] * 100) / 100),
          "aria-label": `${o.name}: ${L[prop]} ${axis}`,
          "data-prop": prop,
          "data-axis": axis,
        });
        input.addEventListener("change", () => {
          const value = Number(input.value.replace(",", "."));
          if (!Number.isFinite(value) || (prop === "scale" && value <= 0)) return;
          o[prop][i] = value;
          shared.place(meshOf(o.id), o);
          highlight();
          draw();
          commit(true);
        });
        label.append(input);
        row.append(label);
      });
      box.append(row);
    }
    if (building && !given[o.id]) {
      const row = element("div", { class: "leerpad-xr-row" });
      const label = element("label", {}, `${L.color} `);
      const pick = element("select", { "aria-label": `${o.name}: ${L.color}` });
      for (const [name, hex] of Object.entries(config.colors)) {
        const option = element("option", { value: hex }, name);
        if (hex === o.color) option.selected = true;
        pick.append(option);
      }
      pick.addEventListener("change", () => {
        o.color = pick.value;
        highlight();
        draw();
        commit(true);
      });
      label.append(pick);
      const remove = element("button", { type: "button" }, L.remove);
      remove.addEventListener("click", () => removeObject(o.id));
      row.append(label, remove);
      box.append(row);
    }
    panel.append(box);
  }

  // -- building: add and remove primitives, keep the camera ---------------------------
  let counter = 0;
  function addObject(shape) {
    if (added().length >= config.max_objects) return;
    do counter += 1;
    while (byId(`nieuw-${counter}`));
    const color = Object.values(config.colors)[counter % Object.keys(config.colors).length];
    const o = {
      id: `nieuw-${counter}`,
      shape,
      name: `${L[shape]} ${counter}`,
      position: [0, shape === "vlak" ? 0.01 : 0.5, 0],
      rotation: [0, 0, 0],
      scale: [1, 1, 1],
      color,
    };
    state.objects.push(o);
    selected = o.id;
    rebuild();
    commit(true);
    list.querySelector(`button[data-id="${o.id}"]`)?.focus();
  }

  function removeObject(id) {
    state.objects = state.objects.filter((o) => o.id !== id);
    selected = null;
    rebuild();
    commit(true);
  }

  // -- export: the kernel keeps the scene and answers with where its WebXR page is -------
  const exportButton = element("button", { type: "button", "data-action": "export" }, L.export);
  const exportLink = element("span", { class: "leerpad-xr-export", "aria-live": "polite" });
  exportButton.addEventListener("click", () => {
    clearTimeout(timer);
    commit(true);
    model.send({ type: "export" });
  });
  model.on("msg:custom", (msg) => {
    if (msg?.type !== "exported") return;
    if (msg.token) {
      const config = document.getElementById("jupyter-config-data");
      const base = (config && JSON.parse(config.textContent).baseUrl) || "/";
      const link = element("a", { href: `${base}xr/${msg.token}`, target: "_blank", rel: "noopener" }, L.exported);
      exportLink.replaceChildren(link);
    } else {
      exportLink.textContent = L.exported_file.replace("{file}", msg.file);
    }
  });

  function drawTools() {
    tools.replaceChildren();
    if (building) {
      const full = added().length >= config.max_objects;
      tools.append(element("span", { class: "leerpad-xr-label" }, `${L.add}:`));
      for (const shape of config.palette) {
        const button = element("button", { type: "button", "data-shape": shape }, `+ ${L[shape]}`);
        button.disabled = full;
        button.addEventListener("click", () => addObject(shape));
        tools.append(button);
      }
    }
    tools.append(exportButton, exportLink);
    const reset = element("button", { type: "button" }, L.reset_view);
    reset.addEventListener("click", () => {
      setView(config.camera);
      draw();
      if (building) commit(true);
    });
    tools.append(reset);
  }

  // -- mouse and touch: drag an object over the floor (Shift: up and down), else orbit --
  const pointer = { id: null, mode: null, x: 0, y: 0, object: null, plane: null, offset: null };
  const ray = new THREE.Raycaster();
  function hit(event) {
    const rect = renderer.domElement.getBoundingClientRect();
    const ndc = new THREE.Vector2(
      ((event.clientX - rect.left) / rect.width) * 2 - 1,
      -((event.clientY - rect.top) / rect.height) * 2 + 1,
    );
    ray.setFromCamera(ndc, camera);
    return ray;
  }
  function pickObject(event) {
    const found = hit(event).intersectObjects(group.children, true)[0];
    let node = found?.object;
    while (node && node.parent !== group) node = node.parent;
    return node ? node.userData.id : null;
  }

  if (renderer) {
    const canvas = renderer.domElement;
    canvas.addEventListener("pointerdown", (event) => {
      canvas.focus();
      const id = pickObject(event);
      const o = id && byId(id);
      Object.assign(pointer, { id: event.pointerId, x: event.clientX, y: event.clientY, moved: false });
      if (o && editable(o).includes("position")) {
        select(id);
        pointer.mode = event.shiftKey ? "lift" : "drag";
        pointer.object = o;
        const normal = pointer.mode === "lift"
          ? new THREE.Vector3(camera.position.x - o.position[0], 0, camera.position.z - o.position[2]).normalize()
          : new THREE.Vector3(0, 1, 0);
        pointer.plane = new THREE.Plane().setFromNormalAndCoplanarPoint(normal, new THREE.Vector3(...o.position));
        const at = hit(event).ray.intersectPlane(pointer.plane, new THREE.Vector3());
        pointer.offset = at ? new THREE.Vector3(...o.position).sub(at) : new THREE.Vector3();
      } else {
        if (o) select(id);
        pointer.mode = "orbit";
      }
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (pointer.id !== event.pointerId) return;
      const dx = event.clientX - pointer.x;
      const dy = event.clientY - pointer.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) pointer.moved = true;
      if (pointer.mode === "orbit") {
        orbit.theta -= dx * 0.01;
        orbit.phi -= dy * 0.01;
        pointer.x = event.clientX;
        pointer.y = event.clientY;
      } else {
        const at = hit(event).ray.intersectPlane(pointer.plane, new THREE.Vector3());
        if (!at) return;
        at.add(pointer.offset);
        const o = pointer.object;
        if (pointer.mode === "drag") {
          o.position[0] = snap(at.x);
          o.position[2] = snap(at.z);
        } else {
          o.position[1] = snap(at.y);
        }
        shared.place(meshOf(o.id), o);
        highlight();
      }
      draw();
    });
    const release = (event) => {
      if (pointer.id !== event.pointerId) return;
      if (pointer.mode === "orbit") {
        if (!pointer.moved && !pickObject(event)) select(null);
        if (building && pointer.moved) commit(true);
      } else if (pointer.moved) {
        drawPanel();
        commit(true);
      }
      pointer.id = null;
    };
    canvas.addEventListener("pointerup", release);
    canvas.addEventListener("pointercancel", release);
    canvas.addEventListener("wheel", (event) => {
      event.preventDefault();
      orbit.radius *= event.deltaY > 0 ? 1.1 : 0.9;
      draw();
      if (building) commit();
    }, { passive: false });
    // Arrow keys orbit, + and - zoom (the object buttons move objects instead).
    canvas.addEventListener("keydown", (event) => {
      const turns = {
        ArrowLeft: () => (orbit.theta -= 0.15),
        ArrowRight: () => (orbit.theta += 0.15),
        ArrowUp: () => (orbit.phi -= 0.1),
        ArrowDown: () => (orbit.phi += 0.1),
        "+": () => (orbit.radius *= 0.9),
        "=": () => (orbit.radius *= 0.9),
        "-": () => (orbit.radius *= 1.1),
      };
      if (!turns[event.key]) return;
      event.preventDefault();
      turns[event.key]();
      draw();
      if (building) commit();
    });
    new ResizeObserver(() => draw()).observe(stage);
  }

  rebuild();
  return () => {
    cancelAnimationFrame(frame);
    renderer?.dispose();
  };
}
